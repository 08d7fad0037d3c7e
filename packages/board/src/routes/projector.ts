/**
 * TensorBoard's projector plugin routes (`/data/plugin/projector/...`): `/runs`, `/info`, `/tensor`, `/metadata`,
 * `/sprite_image`, `/bookmarks`. A run's embeddings are described by `projector_config.pbtxt` in its directory (or
 * in `plugins/org_tensorflow_tensorboard_projector/` below it); the files the config names are read as TensorBoard
 * 2.20's plugin reads them without TensorFlow installed (no checkpoints): relative to the config's directory,
 * tensors as TSV (float32), or raw float32 when the file is not UTF-8 text (or is named `*.bytes`).
 *
 * Unlike TensorBoard 2.20, which reads any path a config names, every path is resolved (symbolic links followed) and
 * refused unless it lies inside the logdir: a one-line warning per path, a 400 for the request.
 */
import { stat, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { DataProvider } from '../store/provider.ts';
import { resolveInsideLogdir } from './paths.ts';
import {
  TextFormatError,
  cloneMessage,
  defineSchema,
  getMessage,
  getRepeated,
  getString,
  messageToJson,
  messageType,
  parseText,
  setString,
  fieldOf,
  type Message,
} from './pbtxt.ts';
import { imageMimeType } from './params.ts';
import { pythonFloat, pythonInt } from './python-numbers.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteReply, type RouteRequest } from './types.ts';

/** The config file TensorBoard's projector looks for in a run directory. */
export const PROJECTOR_CONFIG_FILE = 'projector_config.pbtxt';
/** Where `tf.summary`-era writers put the config instead (plugin assets of the run). */
export const PROJECTOR_ASSETS_DIR = join('plugins', 'org_tensorflow_tensorboard_projector');

/** `projector_config.proto` (TensorBoard 2.20). */
export const PROJECTOR_SCHEMA = defineSchema(
  {
    ProjectorConfig: 'model_checkpoint_path 1 string; embeddings 2 EmbeddingInfo*; model_checkpoint_dir 3 string',
    EmbeddingInfo:
      'tensor_name 1 string; metadata_path 2 string; bookmarks_path 3 string; tensor_shape 4 uint32*; ' +
      'sprite 5 SpriteMetadata; tensor_path 6 string',
    SpriteMetadata: 'image_path 1 string; single_image_dim 2 uint32*',
  },
  {},
);
const CONFIG_TYPE = messageType(PROJECTOR_SCHEMA, 'ProjectorConfig');

/** A parsed 2-D float32 tensor, row-major. */
export interface ProjectorTensor {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** One projector run: its config (already completed as TensorBoard completes it) and where the config lives. */
interface ProjectorRun {
  config: Message;
  configPath: string;
}

/** Lower-cased char codes of x, b, o: `0x…`, `0b…`, `0o…` are numbers to JavaScript, not to Python. */
const RADIX_LETTERS = new Set([0x78, 0x62, 0x6f]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses a tensor TSV as TensorBoard's `_read_tensor_tsv_file` does: universal newlines, empty lines skipped, fields
 * split on tabs and read with Python's `float()`, then narrowed to float32. Rows of different lengths, or a field
 * that is not a number, are an error (TensorBoard fails the same files).
 */
export function parseTensorTsv(text: string): ProjectorTensor {
  let values = new Float32Array(1024);
  let count = 0;
  let rows = 0;
  let cols = -1;
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  let start = 0;
  while (start < normalized.length) {
    let end = normalized.indexOf('\n', start);
    if (end < 0) end = normalized.length;
    if (end > start) {
      const rowStart = count;
      let at = start;
      while (true) {
        let tab = normalized.indexOf('\t', at);
        if (tab < 0 || tab > end) tab = end;
        const field = normalized.slice(at, tab);
        // Number() agrees with Python's float() except on '', blanks, 0x/0b/0o, '_' and inf/nan spellings: those
        // (NaN or 0 here, a leading blank, or a 0-prefixed radix) take the exact path.
        let v: number | undefined = Number(field);
        const c0 = field.charCodeAt(0);
        if (Number.isNaN(v) || v === 0 || c0 <= 32 || (c0 === 48 && RADIX_LETTERS.has(field.charCodeAt(1) | 32))) v = pythonFloat(field);
        if (v === undefined) throw new BadRequest(`projector: tensor value ${JSON.stringify(field.slice(0, 40))} in row ${rows + 1} is not a number; fix the TSV`);
        if (count === values.length) {
          const grown = new Float32Array(values.length * 2);
          grown.set(values);
          values = grown;
        }
        values[count++] = v;
        if (tab === end) break;
        at = tab + 1;
      }
      const n = count - rowStart;
      if (cols >= 0 && n !== cols) {
        throw new BadRequest(`projector: tensor row ${rows + 1} has ${n} values, expected ${cols} like the rows before; fix the TSV`);
      }
      cols = n;
      rows++;
    }
    start = end + 1;
  }
  return { rows, cols: Math.max(cols, 0), data: values.slice(0, count) };
}

/** Raw little-endian float32 of the given 2-D shape (TensorBoard's `_read_tensor_binary_file`). */
export function parseTensorBinary(bytes: Uint8Array, shape: readonly number[]): ProjectorTensor {
  if (shape.length !== 2) throw new BadRequest(`projector: a binary tensor needs a 2-D tensor_shape in the config, got [${shape.join(', ')}]`);
  const [rows, cols] = shape;
  if (bytes.length !== rows * cols * 4) {
    throw new BadRequest(`projector: binary tensor has ${bytes.length} bytes, expected ${rows} × ${cols} float32 = ${rows * cols * 4}; fix tensor_shape`);
  }
  const data = new Float32Array(rows * cols);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  return { rows, cols, data };
}

/**
 * Parsed tensors by (real path, mtime, size): a few at a time, as tensors can be hundreds of MB. Their shapes are
 * kept for every file seen (a config without `tensor_shape` needs them on every `/info`, `/runs` and listing).
 */
class TensorCache {
  private readonly entries = new Map<string, ProjectorTensor>();
  private readonly shapes = new Map<string, { key: string; shape: [number, number] }>();
  constructor(private readonly maxEntries = 4) {}

  private async keyOf(path: string, shape: readonly number[]): Promise<string> {
    const s = await stat(path);
    return `${s.mtimeMs}\0${s.size}\0${shape.join(',')}`;
  }

  /** [rows, cols] of the tensor file, parsing it only when it is new or changed. */
  async shape(path: string): Promise<[number, number]> {
    const key = await this.keyOf(path, []);
    const known = this.shapes.get(path);
    if (known?.key === key) return known.shape;
    const t = await this.read(path, []);
    return [t.rows, t.cols];
  }

  async read(path: string, shape: readonly number[]): Promise<ProjectorTensor> {
    const key = await this.keyOf(path, shape);
    const id = `${path}\0${key}`;
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const bytes = await readFile(path);
    let text: string | undefined;
    if (!path.endsWith('.bytes')) {
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        text = undefined; // not UTF-8: TensorBoard falls back to raw float32 on UnicodeDecodeError
      }
    }
    const tensor = text === undefined ? parseTensorBinary(bytes, shape) : parseTensorTsv(text);
    this.entries.set(id, tensor);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    if (shape.length === 0) this.shapes.set(path, { key, shape: [tensor.rows, tensor.cols] });
    return tensor;
  }
}

/** Per-provider state: parsed configs by file identity, tensors, and the paths already warned about. */
interface ProjectorState {
  configs: Map<string, { key: string; config: Message }>;
  tensors: TensorCache;
  warned: Set<string>;
}
const states = new WeakMap<DataProvider, ProjectorState>();
function stateOf(provider: DataProvider): ProjectorState {
  let s = states.get(provider);
  if (!s) states.set(provider, (s = { configs: new Map(), tensors: new TensorCache(), warned: new Set() }));
  return s;
}

const expandUser = (p: string) => (p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

/**
 * Resolves a path named by a run's config, relative to the config's directory, and checks it stays inside the
 * logdir. Outside: one warning per path and a 400; missing: `undefined` (the caller words TensorBoard's 400).
 */
async function resolveAsset(ctx: RouteContext, run: string, configPath: string, named: string): Promise<string | undefined> {
  const result = await resolveInsideLogdir(ctx.logdir, expandUser(named), dirname(configPath));
  if (result.ok) return result.path;
  if (result.reason === 'missing') return undefined;
  warnOutside(ctx, run, configPath, named);
  throw new BadRequest(`projector: the path "${named}" in ${configPath} resolves outside the logdir; refused`);
}

function warnOutside(ctx: RouteContext, run: string, configPath: string, named: string): void {
  warnOnce(ctx, { run, path: named, config: configPath }, 'projector: refused a path outside the logdir');
}

/** Routes run per request; a problem with a file is logged once per provider, not once per request. */
function warnOnce(ctx: RouteContext, fields: Record<string, string>, message: string): void {
  const state = stateOf(ctx.provider);
  const key = JSON.stringify([message, fields]);
  if (state.warned.has(key)) return;
  state.warned.add(key);
  ctx.warn(fields, message);
}

/** The parsed config file of a run, cached by (mtime, size); undefined when absent, outside or unparsable. */
async function readConfigFile(ctx: RouteContext, run: string, path: string): Promise<Message | undefined> {
  const resolved = await resolveInsideLogdir(ctx.logdir, path);
  if (!resolved.ok) {
    if (resolved.reason === 'outside') warnOutside(ctx, run, path, path);
    return undefined;
  }
  const s = await stat(resolved.path).catch(() => undefined);
  if (!s?.isFile()) return undefined;
  const state = stateOf(ctx.provider);
  const key = `${s.mtimeMs}\0${s.size}`;
  const cached = state.configs.get(path);
  if (cached?.key === key) return cached.config;
  let config: Message;
  try {
    config = parseText(PROJECTOR_SCHEMA, CONFIG_TYPE, await readFile(resolved.path, 'utf8'));
  } catch (err) {
    if (!(err instanceof TextFormatError)) throw err;
    warnOnce(ctx, { run, config: path, err: err.message }, 'projector: config does not parse; run skipped');
    return undefined;
  }
  state.configs.set(path, { key, config });
  return config;
}

/** The embeddings' canonical name (`name` and `name:0` are the same tensor). */
const canonical = (name: string) => (name.includes(':') ? name : `${name}:0`);

function findEmbedding(config: Message, name: string): Message | undefined {
  return getRepeated<Message>(config, 'embeddings').find((e) => canonical(getString(e, 'tensor_name')) === canonical(name));
}

/**
 * The projector runs and their completed configs, as TensorBoard 2.20's `_update_configs` computes them without
 * TensorFlow: runs (and the logdir itself as run `.`) with a config naming at least one `tensor_path`; embedding names without `:0`, named after the
 * tensor file when unnamed, and `tensor_shape` read from the tensor when the config does not give it.
 */
export async function projectorConfigs(ctx: RouteContext): Promise<Map<string, ProjectorRun>> {
  const runs = ctx.provider.listRuns().map((r) => ({ name: r.name, path: r.path }));
  // The logdir itself is always a candidate, run or not (TensorBoard 2.20's `_update_configs`).
  if (!runs.some((r) => r.name === '.')) runs.push({ name: '.', path: ctx.logdir });
  const result = new Map<string, ProjectorRun>();
  for (const run of runs) {
    // The plugin-assets config comes later and wins, as in TensorBoard's run/path pair list.
    for (const configPath of [join(run.path, PROJECTOR_CONFIG_FILE), join(run.path, PROJECTOR_ASSETS_DIR, PROJECTOR_CONFIG_FILE)]) {
      const parsed = await readConfigFile(ctx, run.name, configPath);
      if (!parsed) continue;
      // Complete a copy: the cached parse stays as the file says.
      const config = cloneMessage(parsed);
      const embeddings = getRepeated<Message>(config, 'embeddings');
      const firstWithTensor = embeddings.find((e) => getString(e, 'tensor_path'));
      if (!firstWithTensor) continue; // without TensorFlow there is no checkpoint to fall back on
      // TensorBoard names only the first embedding with a tensor file after it (its loop breaks there).
      if (!getString(firstWithTensor, 'tensor_name')) setString(firstWithTensor, 'tensor_name', basename(getString(firstWithTensor, 'tensor_path')));
      for (const e of embeddings) {
        const name = getString(e, 'tensor_name');
        if (name.endsWith(':0')) setString(e, 'tensor_name', name.slice(0, -2));
        const tensorPath = getString(e, 'tensor_path');
        if (!tensorPath || getRepeated(e, 'tensor_shape').length > 0) continue;
        try {
          const file = await resolveAsset(ctx, run.name, configPath, tensorPath);
          if (!file) continue;
          const [rows, cols] = await fsRequest(stateOf(ctx.provider).tensors.shape(file), tensorPath);
          if (rows > 0) e.fields.set(fieldOf(e, 'tensor_shape').number, [rows, cols]);
        } catch (err) {
          if (!(err instanceof BadRequest)) throw err;
          // A refused path has had its warning; a tensor that does not parse gets one here.
          if (!err.message.includes('outside the logdir')) warnOnce(ctx, { run: run.name, path: tensorPath, err: err.message }, 'projector: tensor shape unknown');
        }
      }
      result.set(run.name, { config, configPath });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

function required(req: RouteRequest, name: string, emptyIsMissing = false): string {
  const v = req.query.get(name);
  if (v === null || (emptyIsMissing && v === '')) throw new BadRequest(`query parameter "${name}" is required`);
  return v;
}

/** `_parse_positive_int_param`: absent or empty → undefined; otherwise a positive integer or a 400. */
function numRows(req: RouteRequest): number | undefined {
  const raw = req.query.get('num_rows');
  if (!raw) return undefined;
  const n = pythonInt(raw);
  if (n === undefined || n <= 0) throw new BadRequest('query parameter num_rows must be integer > 0');
  return n;
}

async function runConfig(ctx: RouteContext, run: string): Promise<ProjectorRun> {
  const found = (await projectorConfigs(ctx)).get(run);
  if (!found) throw new BadRequest(`Unknown run: "${run}"`);
  return found;
}

async function runsRoute(_req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  return jsonReply([...(await projectorConfigs(ctx)).keys()]);
}

async function infoRoute(req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  const run = required(req, 'run');
  const { config } = await runConfig(ctx, run);
  return jsonReply(messageToJson(PROJECTOR_SCHEMA, config));
}

async function tensorRoute(req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  const run = required(req, 'run');
  const name = required(req, 'name');
  const rowsWanted = numRows(req);
  const { config, configPath } = await runConfig(ctx, run);
  const embedding = findEmbedding(config, name);
  const tensorPath = embedding ? getString(embedding, 'tensor_path') : '';
  if (!embedding || !tensorPath) {
    // TensorBoard would look in a TensorFlow checkpoint here; without TensorFlow there is none.
    throw new BadRequest(`Tensor "${name}" not found in checkpoint dir "${getString(config, 'model_checkpoint_path')}"`);
  }
  const file = await resolveAsset(ctx, run, configPath, tensorPath);
  if (!file) throw new BadRequest(`Tensor file "${tensorPath}" does not exist`);
  const tensor = await fsRequest(stateOf(ctx.provider).tensors.read(file, getRepeated<number>(embedding, 'tensor_shape')), tensorPath);
  const rows = rowsWanted === undefined ? tensor.rows : Math.min(rowsWanted, tensor.rows);
  const values = tensor.data.subarray(0, rows * tensor.cols);
  const body = new Uint8Array(values.length * 4);
  const view = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { status: 200, contentType: 'application/octet-stream', body };
}

/** A file-system failure on a file the config names (gone, unreadable, a directory) is the config's problem: a 400. */
async function fsRequest<T>(work: Promise<T>, named: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new BadRequest(`projector: "${named}" cannot be read (${code})`);
    throw err;
  }
}

/** The bytes of a resolved asset file; TensorBoard's 400 text when it is missing or not a file. */
async function readAssetFile(file: string | undefined, named: string, missing: string): Promise<Uint8Array> {
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (!file || !info?.isFile()) throw new BadRequest(`"${named}" ${missing}`);
  return new Uint8Array(await fsRequest(readFile(file), named));
}

/** Universal-newline text split into lines that keep their `\n` (Python's text-mode file iteration). */
function textLines(bytes: Uint8Array, what: string): string[] {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new BadRequest(`projector: ${what} is not UTF-8 text`);
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

async function metadataRoute(req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  const run = required(req, 'run');
  const name = required(req, 'name');
  const rowsWanted = numRows(req);
  const { config, configPath } = await runConfig(ctx, run);
  const embedding = findEmbedding(config, name);
  const named = embedding ? getString(embedding, 'metadata_path') : '';
  if (!named) throw new BadRequest(`No metadata file found for tensor "${name}" in the config file "${configPath}"`);
  const file = await resolveAsset(ctx, run, configPath, named);
  const lines = textLines(await readAssetFile(file, named, 'not found, or is not a file'), named);
  // A first line with a tab is a header and does not count toward num_rows.
  const header = lines.length > 0 && lines[0].includes('\t') ? 1 : 0;
  const kept = rowsWanted === undefined ? lines : lines.slice(0, rowsWanted + header);
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: kept.join('') };
}

async function bookmarksRoute(req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  const run = required(req, 'run', true);
  const name = required(req, 'name');
  const { config, configPath } = await runConfig(ctx, run);
  const embedding = findEmbedding(config, name);
  const named = embedding ? getString(embedding, 'bookmarks_path') : '';
  if (!named) throw new BadRequest(`No bookmarks file found for tensor "${name}" in the config file "${configPath}"`);
  const file = await resolveAsset(ctx, run, configPath, named);
  return { status: 200, contentType: 'application/json', body: await readAssetFile(file, named, 'not found, or is not a file') };
}

async function spriteRoute(req: RouteRequest, ctx: RouteContext): Promise<RouteReply> {
  const run = required(req, 'run', true);
  const name = required(req, 'name');
  const { config, configPath } = await runConfig(ctx, run);
  const embedding = findEmbedding(config, name);
  const sprite = embedding ? getMessage(embedding, 'sprite') : undefined;
  const named = sprite ? getString(sprite, 'image_path') : '';
  if (!named) throw new BadRequest(`No sprite image file found for tensor "${name}" in the config file "${configPath}"`);
  const file = await resolveAsset(ctx, run, configPath, named);
  const bytes = await readAssetFile(file, named, 'does not exist or is directory');
  return { status: 200, contentType: imageMimeType(bytes), body: bytes };
}

/** The projector plugin's routes; active when some run has a projector config with a tensor file. */
export const projectorRoutes: PluginRoutes = {
  plugin: 'projector',
  routes: {
    '/runs': runsRoute,
    '/info': infoRoute,
    '/tensor': tensorRoute,
    '/metadata': metadataRoute,
    '/bookmarks': bookmarksRoute,
    '/sprite_image': spriteRoute,
  },
  isActive: async (ctx) => (await projectorConfigs(ctx)).size > 0,
};
