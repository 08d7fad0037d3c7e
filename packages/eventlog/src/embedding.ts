import { eventlogError } from './errors.ts';
import { toGridHWC, type TensorLike } from './image.ts';
import { encodePng } from './png.ts';
import { pythonFloatRepr, pythonStr } from './python-format.ts';

/** A metadata cell: `str()`'d like torch's `make_tsv`. */
export type MetadataCell = string | number | boolean | bigint;

/** One `embeddings { … }` block of projector_config.pbtxt (`tensorboard.EmbeddingInfo`). */
export interface EmbeddingInfo {
  tensorName: string;
  tensorPath: string;
  metadataPath?: string;
  sprite?: { imagePath: string; singleImageDim: [number, number] };
}

/**
 * torch's `_encode` for the tag's directory name: `%` → `%25`, `/` → `%2f`, `\` → `%5c`, so a tag cannot escape
 * the step directory.
 */
export function encodeEmbeddingTag(tag: string): string {
  return tag.replaceAll('%', '%25').replaceAll('/', '%2f').replaceAll('\\', '%5c');
}

/** `<step %05d>/<encoded tag>`, the embedding's directory relative to the logdir. */
export function embeddingSubdir(tag: string, globalStep: number): string {
  return `${zfill5(globalStep)}/${encodeEmbeddingTag(tag)}`;
}

function zfill5(step: number): string {
  // Python's str(n).zfill(5): the sign stays in front.
  const s = String(Math.abs(step)).padStart(step < 0 ? 4 : 5, '0');
  return step < 0 ? `-${s}` : s;
}

/** Rows of a 2-D matrix as float64 values: `Float64Array` kept as is, anything else narrowed to float32. */
export function matrixRows(mat: TensorLike | ArrayLike<ArrayLike<number>>): number[][] {
  if ('shape' in mat && 'data' in mat) {
    const t = mat as TensorLike;
    if (t.shape.length !== 2) {
      throw eventlogError('EVENTLOG_EMBEDDING_SHAPE', `embedding of rank ${t.shape.length} (shape [${t.shape.join(', ')}])`, 'a 2-D matrix [points, dims]', 'flatten each point to one row');
    }
    const [n, d] = t.shape;
    if (t.data.length !== n * d) {
      throw eventlogError('EVENTLOG_EMBEDDING_SHAPE', `${t.data.length} values for shape [${n}, ${d}]`, `${n * d} values`, 'make data.length the product of shape');
    }
    const keep = t.data instanceof Float64Array;
    return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => (keep ? t.data[i * d + j] : Math.fround(t.data[i * d + j]))));
  }
  const rows = Array.from(mat as ArrayLike<ArrayLike<number>>, (r) => Array.from(r, (x) => Math.fround(x)));
  const d = rows[0]?.length ?? 0;
  const bad = rows.findIndex((r) => r.length !== d);
  if (bad >= 0) {
    throw eventlogError('EVENTLOG_EMBEDDING_SHAPE', `row ${bad} has ${rows[bad].length} values`, `${d} like row 0`, 'give every point the same number of dimensions');
  }
  return rows;
}

/**
 * tensors.tsv like torch's `make_mat`: one row per point, values as Python `str(float)` joined by TAB, rows ended by
 * `\n`. Plain numbers are narrowed to float32 first (a torch tensor's default dtype), so `0.1` prints as
 * `0.10000000149011612`; pass a `Float64Array` to keep doubles.
 */
export function formatTensorsTsv(rows: number[][]): string {
  let out = '';
  for (const row of rows) out += `${row.map(pythonFloatRepr).join('\t')}\n`;
  return out;
}

/**
 * metadata.tsv like torch's `make_tsv`: without a header one `str(label)` per line; with `header`, the header row
 * then rows of TAB-joined cells; lines joined by `\n` plus a final `\n`. No escaping — as in torch, a TAB or newline
 * inside a label shifts the columns/lines TensorBoard sees (documented hazard).
 */
export function formatMetadataTsv(metadata: readonly (MetadataCell | readonly MetadataCell[])[], header?: readonly string[]): string {
  if (!header || header.length === 0) {
    const multi = metadata.findIndex((m) => Array.isArray(m));
    if (multi >= 0) {
      throw eventlogError('EVENTLOG_METADATA_HEADER', `metadata row ${multi} with ${(metadata[multi] as MetadataCell[]).length} columns and no metadataHeader`, 'single labels, or rows plus metadataHeader', 'pass metadataHeader naming each column');
    }
    return `${metadata.map((m) => pythonStr(m as MetadataCell)).join('\n')}\n`;
  }
  const lines = [header.join('\t')];
  metadata.forEach((row, i) => {
    const cells = Array.isArray(row) ? row : [row as MetadataCell];
    if (cells.length !== header.length) {
      throw eventlogError('EVENTLOG_METADATA_HEADER', `metadata row ${i} with ${cells.length} columns`, `${header.length} (the metadataHeader length)`, 'make every row as long as the header');
    }
    lines.push(cells.map(pythonStr).join('\t'));
  });
  return `${lines.join('\n')}\n`;
}

/**
 * sprite.png like torch's `make_sprite`: NCHW images tiled `ceil(sqrt(N))` per row by `make_grid`, placed at the top
 * of a black square (side = grid width; the larger side if images are taller than wide, where torch would fail),
 * float pixels `uint8(clip(x·255 in float64, 0, 255))` (truncated).
 * N.B. torch also multiplies uint8 images by 255 (saturating every non-zero pixel); uint8 input is used as is here.
 */
export function makeSprite(labelImg: TensorLike): { png: Uint8Array; singleImageDim: [number, number] } {
  if (labelImg.shape.length !== 4) {
    throw eventlogError('EVENTLOG_SPRITE_SHAPE', `labelImg of rank ${labelImg.shape.length}`, 'NCHW (rank 4)', 'reshape label images to [N, C, H, W]');
  }
  const [n, , h, w] = labelImg.shape;
  const grid = toGridHWC(labelImg, 'NCHW', Math.ceil(Math.sqrt(n)));
  const side = Math.max(grid.width, grid.height);
  const c = grid.channels;
  const out = new Uint8Array(side * side * c);
  const raw = labelImg.data instanceof Uint8Array || labelImg.data instanceof Uint8ClampedArray;
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width * c; x++) {
      const v = grid.data[y * grid.width * c + x];
      const scaled = raw ? v : v * 255;
      out[y * side * c + x] = scaled > 0 ? (scaled < 255 ? scaled : 255) : 0;
    }
  }
  return { png: encodePng(out, side, side, c), singleImageDim: [w, h] };
}

// Python protobuf's text_format string escaping (CEscape, as_utf8=False): UTF-8 bytes, printable ASCII as is,
// \n \r \t \" \' \\ by name, everything else as a 3-digit octal escape.
function textFormatString(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `"${out}"`;
}

/** projector_config.pbtxt: a text-format `ProjectorConfig` with one `embeddings` block per call, fields in number order. */
export function formatProjectorConfig(embeddings: readonly EmbeddingInfo[]): string {
  let out = '';
  for (const e of embeddings) {
    out += 'embeddings {\n';
    out += `  tensor_name: ${textFormatString(e.tensorName)}\n`;
    if (e.metadataPath !== undefined) out += `  metadata_path: ${textFormatString(e.metadataPath)}\n`;
    if (e.sprite) {
      out += '  sprite {\n';
      out += `    image_path: ${textFormatString(e.sprite.imagePath)}\n`;
      for (const d of e.sprite.singleImageDim) out += `    single_image_dim: ${d}\n`;
      out += '  }\n';
    }
    out += `  tensor_path: ${textFormatString(e.tensorPath)}\n`;
    out += '}\n';
  }
  return out;
}
