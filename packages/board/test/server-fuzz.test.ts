/**
 * Never a crash: seeded random parameters, forms and JSON bodies on every recorded route of the golden corpus must
 * get a 2xx or a 4xx with a one-line JSON message, never a 5xx.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@tbpipe/core';
import { startBoard, type Board } from '../src/index.ts';

const CORPUS = fileURLToPath(new URL('./fixtures/golden-http/', import.meta.url));
const PATHS = [
  ...new Set(
    (JSON.parse(readFileSync(`${CORPUS}responses.json`, 'utf8')) as { path: string }[]).map((r) => r.path.replace(/^\/experiment\/[^/]+/, '')),
  ),
  '/api/export',
  '/api/events/x',
];
const VALUES = ['', 'x', '-1', '1e400', 'NaN', '0', '99999999999999999999', '[]', '{}', 'null', '%', '../..', '\u0000', '\uffff', 'tutorial',
  'scalars', 'training loss', '["a"]', '{"experimentName":""}', 'true', '(', 'WyIiXQ', 'WyIiLCJpbWFnZXMiLCJpbWFnZSIsIngiLDAsMl0'];
const KEYS = ['run', 'tag', 'sample', 'format', 'markdown', 'blob_key', 'imageId', 'name', 'num_rows', 'limit_attr_size', 'large_attrs_key',
  'request', 'requests', 'columnsVisibility', 'conceptual', 'plugin', 'runs'];

describe('never a 5xx on malformed requests', () => {
  let board: Board;
  before(async () => {
    board = await startBoard({ logdir: `${CORPUS}logdir`, port: 0, reloadIntervalSeconds: 0 });
  });
  after(async () => {
    await board?.close();
  });

  it('answers 800 seeded random requests on the recorded routes with 2xx or a one-line 4xx', async () => {
    const random = createRandom(2026);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const failures: string[] = [];
    for (let i = 0; i < 800; i++) {
      const path = pick(PATHS);
      const query = new URLSearchParams();
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) query.append(pick(KEYS), pick(VALUES));
      let init: RequestInit | undefined;
      const kind = random();
      if (kind < 0.1) {
        const form = new FormData();
        for (let k = 0; k < 3; k++) form.append(pick(KEYS), pick(VALUES));
        init = { method: 'POST', body: form };
      } else if (kind < 0.2) {
        init = { method: 'POST', headers: { 'content-type': pick(['application/json', 'text/plain']) }, body: pick(VALUES) };
      } else if (kind < 0.3) {
        const body = {
          experimentName: '',
          colParams: [{ hparam: pick(VALUES) }, { metric: pick([null, {}, { tag: pick(VALUES) }]), order: pick(['ORDER_DESC', 'x', 3]) }],
          allowedStatuses: pick([[], 'x', null]),
          startIndex: pick([-1, 0, 'a']),
          sliceSize: pick([0, 1e9, 'b']),
          sessionName: pick(VALUES),
          metricName: pick([null, {}, { tag: 'hparam/loss' }]),
        };
        init = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) };
      }
      const res = await fetch(`${board.url}${path}?${query}`, init);
      const text = await res.text();
      const where = `${init?.method ?? 'GET'} ${path}?${query}`;
      if (res.status >= 500) failures.push(`${res.status} ${where}: ${text.slice(0, 120)}`);
      else if (res.status >= 400) {
        const error = (JSON.parse(text) as { error?: unknown }).error;
        if (typeof error !== 'string' || error.includes('\n')) failures.push(`${res.status} ${where}: not a one-line JSON error: ${text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
