/**
 * Replays every record of the golden HTTP corpus (what TensorBoard 2.20 answered for `fixtures/golden-http/logdir`,
 * see its README) against our server, in both sampling modes, and compares the answers the way the corpus README's
 * "How to compare" says. One subtest per record, named by method, path and query.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodePng } from '@tbpipe/eventlog';
import { startBoard, type Board } from '../src/index.ts';

const CORPUS = fileURLToPath(new URL('./fixtures/golden-http/', import.meta.url));
const LOGDIR = `${CORPUS}logdir`;

interface GoldenRecord {
  sampling: 'all' | 'default';
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string | string[]>;
  request_body: unknown;
  request_content_type?: string;
  status: number;
  content_type: string;
  body_json?: unknown;
  body_file?: string;
  sampled?: boolean;
  error_case?: boolean;
}

const records: GoldenRecord[] = JSON.parse(readFileSync(`${CORPUS}responses.json`, 'utf8'));

/** The `--samples_per_plugin` the all-points recording ran with. */
const ALL_SAMPLES = { scalars: 1e6, images: 1e6, histograms: 1e6, distributions: 1e6, pr_curves: 1e6, text: 1e6, tensors: 1e6 };

/**
 * Records skipped, each with why. Keep this list short: a record belongs here only when TensorBoard's answer depends
 * on its internals in a way we do not reproduce; each is also listed in the package README.
 */
const SKIPS: { match: (r: GoldenRecord) => boolean; reason: string }[] = [];

/** Routes whose answers are time series (compared by count and last point under default sampling). */
function seriesIn(path: string, body: unknown): unknown[][] {
  const p = path.replace(/^\/experiment\/[^/]+/, '');
  const obj = body as Record<string, unknown[]>;
  switch (p) {
    case '/data/plugin/scalars/scalars':
    case '/data/plugin/images/images':
    case '/data/plugin/histograms/histograms':
    case '/data/plugin/distributions/distributions':
    case '/data/plugin/text/text':
    case '/data/plugin/hparams/metric_evals':
      return Array.isArray(body) ? [body] : [];
    case '/data/plugin/scalars/scalars_multirun':
    case '/data/plugin/pr_curves/pr_curves':
      return Object.values(obj);
    case '/data/plugin/timeseries/timeSeries':
      return (body as { runToSeries?: Record<string, unknown[]> }[]).flatMap((r) => Object.values(r.runToSeries ?? {}));
    default:
      return [];
  }
}

/** Replaces each time series by its length and last point (default sampling: the rest is random in TensorBoard). */
function summariseSeries(path: string, body: unknown): unknown {
  const copy = structuredClone(body);
  for (const series of seriesIn(path, copy)) {
    const last = series[series.length - 1];
    series.splice(0, series.length, { count: series.length, last });
  }
  return copy;
}

/** Orders what TensorBoard leaves unordered, and drops what is volatile, on both sides alike. */
function normalise(path: string, body: unknown): unknown {
  const p = path.replace(/^\/experiment\/[^/]+/, '');
  const copy = structuredClone(body) as Record<string, unknown>;
  const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
  if (p === '/data/environment') delete copy.debug;
  if (p === '/data/plugin/projector/runs' && Array.isArray(copy)) copy.sort(byJson);
  if (p === '/data/plugin/text/tags') for (const list of Object.values(copy)) if (Array.isArray(list)) list.sort(byJson);
  if (p.startsWith('/data/plugin/hparams/')) {
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'domainDiscrete' && Array.isArray(x)) x.sort(byJson);
          visit(x);
        }
      }
    };
    visit(copy);
  }
  return copy;
}

function substituteLogdir(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('<LOGDIR>', LOGDIR);
  if (Array.isArray(value)) return value.map(substituteLogdir);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteLogdir(v)]));
  return value;
}

/** Structural equality: numbers as float64 exactly (NaN equals NaN), key order ignored unless `orderedKeys`. */
function diff(actual: unknown, expected: unknown, where: string, orderedKeys: boolean, out: string[]): void {
  if (out.length >= 5) return;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(actual === expected || (Number.isNaN(actual) && Number.isNaN(expected)))) {
      out.push(`${where}: got ${JSON.stringify(actual)}, expected ${expected}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return void out.push(`${where}: got ${JSON.stringify(actual)?.slice(0, 120)}, expected an array`);
    if (actual.length !== expected.length) out.push(`${where}: got ${actual.length} elements, expected ${expected.length}`);
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) diff(actual[i], expected[i], `${where}[${i}]`, false, out);
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) {
      return void out.push(`${where}: got ${JSON.stringify(actual)?.slice(0, 120)}, expected an object`);
    }
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    const missing = ek.filter((k) => !ak.includes(k));
    const extra = ak.filter((k) => !ek.includes(k));
    if (missing.length || extra.length) out.push(`${where}: keys missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`);
    else if (orderedKeys && ek.join('\0') !== ak.join('\0')) out.push(`${where}: key order ${JSON.stringify(ak)}, expected ${JSON.stringify(ek)}`);
    for (const k of ek) if (k in actual) diff((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${where}.${k}`, false, out);
    return;
  }
  if (actual !== expected) out.push(`${where}: got ${JSON.stringify(actual)?.slice(0, 120)}, expected ${JSON.stringify(expected)?.slice(0, 120)}`);
}

function assertJsonEqual(actual: unknown, expected: unknown, orderedKeys = false): void {
  const out: string[] = [];
  diff(actual, expected, '$', orderedKeys, out);
  assert.deepEqual(out, [], out.join('\n'));
}

/** Parses a TensorBoard JSON body (NaN is already a string there). */
const parseJson = (text: string): unknown => JSON.parse(text);

function csvCells(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

function csvNumber(cell: string): number | undefined {
  const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
  if (cell in special) return special[cell];
  return /^-?\d/.test(cell) && Number.isFinite(Number(cell)) ? Number(cell) : undefined;
}

function assertCsvEqual(actual: string, expected: string, lastRowOnly: boolean): void {
  let a = csvCells(actual);
  let e = csvCells(expected);
  if (lastRowOnly) {
    assert.equal(a.length, e.length, 'row count');
    a = [a[0], a[a.length - 1]];
    e = [e[0], e[e.length - 1]];
  }
  assert.equal(a.length, e.length, 'row count');
  for (let i = 0; i < e.length; i++) {
    assert.equal(a[i].length, e[i].length, `row ${i} cell count`);
    for (let j = 0; j < e[i].length; j++) {
      const en = csvNumber(e[i][j]);
      const an = csvNumber(a[i][j]);
      if (en !== undefined && an !== undefined) assertJsonEqual(an, en);
      else assert.equal(a[i][j], e[i][j], `row ${i} cell ${j}`);
    }
  }
}

function assertImageEqual(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0) return;
  const a = decodePng(actual);
  const e = decodePng(expected);
  assert.deepEqual({ width: a.width, height: a.height, channels: a.channels }, { width: e.width, height: e.height, channels: e.channels });
  assert.ok(Buffer.compare(Buffer.from(a.data), Buffer.from(e.data)) === 0, 'decoded pixels differ');
}

/** Protocol-buffer text format as tokens (numbers as float64), so formatting differences do not count. */
function pbtxtTokens(text: string): (string | number)[] {
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{}:<>[\],]|[^\s{}:<>[\],"']+/g) ?? [];
  return tokens.map((t) => (/^[-+]?(\d|\.\d)/.test(t) && Number.isFinite(Number(t)) ? Number(t) : t));
}

function recordName(r: GoldenRecord): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query)) for (const x of Array.isArray(v) ? v : [v]) query.append(k, x);
  const q = query.toString();
  const body = r.method === 'POST' ? ` ${JSON.stringify(r.request_body).slice(0, 160)}` : '';
  return `${r.method} ${r.path}${q ? `?${q}` : ''}${body}`;
}

async function send(board: Board, r: GoldenRecord): Promise<Response> {
  const url = new URL(board.url + r.path);
  for (const [k, v] of Object.entries(r.query)) for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  if (r.method === 'GET') return fetch(url);
  if (r.request_content_type === 'multipart/form-data') {
    const form = new FormData();
    for (const [k, v] of Object.entries(r.request_body as Record<string, string | string[]>)) {
      for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    }
    return fetch(url, { method: 'POST', body: form });
  }
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': r.request_content_type ?? 'application/json' },
    body: JSON.stringify(r.request_body),
  });
}

async function check(board: Board, r: GoldenRecord): Promise<void> {
  const res = await send(board, r);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = () => Buffer.from(bytes).toString('utf8');
  assert.equal(res.status, r.status, `status (body: ${text().slice(0, 200)})`);
  if (r.status >= 400) return;
  const mime = (s: string | null) => (s ?? '').split(';')[0].trim();
  assert.equal(mime(res.headers.get('content-type')), mime(r.content_type), 'MIME type');
  const summarise = r.sampling === 'default' || r.sampled === true;
  const bare = r.path.replace(/^\/experiment\/[^/]+/, '');
  if (r.body_file === undefined) {
    let actual = normalise(r.path, parseJson(text()));
    let expected = normalise(r.path, substituteLogdir(r.body_json));
    if (summarise) {
      actual = summariseSeries(r.path, actual);
      expected = summariseSeries(r.path, expected);
    }
    assertJsonEqual(actual, expected, bare === '/data/plugins_listing');
    return;
  }
  const expectedBytes = readFileSync(`${CORPUS}${r.body_file}`);
  const type = mime(r.content_type);
  if (type === 'image/png') return assertImageEqual(bytes, expectedBytes);
  if (type === 'text/csv') {
    return assertCsvEqual(text(), expectedBytes.toString('utf8').replaceAll('<LOGDIR>', LOGDIR), summarise && bare === '/data/plugin/scalars/scalars');
  }
  if (type === 'text/x-protobuf') {
    if (Buffer.compare(Buffer.from(bytes), expectedBytes) === 0) return;
    return assert.deepEqual(pbtxtTokens(text()), pbtxtTokens(expectedBytes.toString('utf8')));
  }
  if (type.startsWith('text/') || type === 'application/x-latex') {
    return assert.equal(text(), expectedBytes.toString('utf8').replaceAll('<LOGDIR>', LOGDIR));
  }
  assert.ok(Buffer.compare(Buffer.from(bytes), expectedBytes) === 0, `body bytes differ (${bytes.length} vs ${expectedBytes.length} bytes)`);
}

for (const sampling of ['all', 'default'] as const) {
  describe(`golden HTTP corpus, ${sampling === 'all' ? 'every point kept' : 'default sampling'}`, () => {
    let board: Board;
    before(async () => {
      board = await startBoard({
        logdir: LOGDIR,
        port: 0,
        reloadIntervalSeconds: 0,
        samplesPerPlugin: sampling === 'all' ? ALL_SAMPLES : undefined,
      });
    });
    after(async () => {
      await board?.close();
    });
    for (const record of records.filter((r) => r.sampling === sampling)) {
      const skip = SKIPS.find((s) => s.match(record));
      test(recordName(record), { skip: skip?.reason ?? false }, async () => check(board, record));
    }
  });
}
