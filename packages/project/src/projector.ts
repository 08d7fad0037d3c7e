import { removeRunFiles, type SummaryWriter } from '@tbpipe/eventlog';
import { renderScatter } from '@tbpipe/figures';
import type { ImageShape } from '@tbpipe/ingest/contract';

/** Suffix of this stage's event file in the run directory (CONTRIBUTING: the stage's name). */
export const EVENT_FILE_SUFFIX = '.project';
/** The global step of every embedding this stage writes; with it, the folder `00000/` it owns. */
export const EMBEDDING_STEP = 0;
/** Run-directory paths this stage owns (globs, relative to the run dir); mirrored in package.json `tbpipe.runOutputs`. */
export const RUN_OUTPUTS = ['events.out.tfevents.*.project', 'projector_config.pbtxt', '00000/**'] as const;

/**
 * Delete what a previous run of this stage left in `runDir`: its event files (`*.project`), `projector_config.pbtxt`
 * and the `00000/` embedding folder, so a rerun never shows stale or duplicate embeddings. Other stages' files stay.
 * N.B. this stage owns projector_config.pbtxt outright: TensorBoard reads one config per run directory, and torch's
 * writer rewrites it whole on every `add_embedding`.
 */
export async function removePreviousOutputs(runDir: string): Promise<void> {
  await removeRunFiles(runDir, { suffix: EVENT_FILE_SUFFIX, names: ['projector_config.pbtxt', String(EMBEDDING_STEP).padStart(5, '0')] });
}

/** Largest sprite side TensorBoard's projector loads (its `MAX_SPRITE_IMAGE_SIZE_PX`-style limit: 8192 px). */
export const MAX_SPRITE_SIDE = 8192;

/**
 * Thumbnails of sampled images as an NCHW uint8 tensor (N × C × h × w) for a sprite: the images' own size, grey or
 * RGB (HWC rows reordered to CHW, what `makeSprite` takes), shrunk by nearest-neighbour sampling only when
 * `ceil(√N)` of them per row would make the sprite wider than {@link MAX_SPRITE_SIDE}.
 */
export function thumbnails(images: Uint8Array, rows: ArrayLike<number>, shape: ImageShape): { data: Uint8Array; shape: number[] } {
  const { height, width, channels: c } = shape;
  const perRow = Math.ceil(Math.sqrt(rows.length));
  const scale = Math.min(1, MAX_SPRITE_SIDE / (perRow * Math.max(height, width)));
  const h = Math.max(1, Math.floor(height * scale));
  const w = Math.max(1, Math.floor(width * scale));
  const bytes = height * width * c;
  const data = new Uint8Array(rows.length * c * h * w);
  if (c === 1 && h === height && w === width) {
    for (let i = 0; i < rows.length; i++) data.set(images.subarray(rows[i] * bytes, (rows[i] + 1) * bytes), i * bytes);
    return { data, shape: [rows.length, 1, h, w] };
  }
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] * bytes;
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      for (let y = 0; y < h; y++) {
        const sy = Math.floor((y * height) / h);
        for (let x = 0; x < w; x++) data[plane + y * w + x] = images[src + (sy * width + Math.floor((x * width) / w)) * c + ch];
      }
    }
  }
  return { data, shape: [rows.length, c, h, w] };
}

/** One projector embedding: n rows of `width` coordinates with the shared metadata and sprite. */
export interface EmbeddingSpec {
  tag: string;
  values: Float32Array;
  width: number;
  metadata: readonly (string | readonly string[])[];
  metadataHeader?: readonly string[];
  /** Thumbnails; none for predictions made elsewhere without images. */
  sprite?: { data: Uint8Array; shape: number[] };
  /** Or the sprite already made from them (`makeSprite`, e.g. by a pixels-only run). */
  spritePng?: { png: Uint8Array; singleImageDim: [number, number] };
}

/** `writer.addEmbedding` for one {@link EmbeddingSpec} at step 0 (files under `00000/<tag>/`). */
export async function writeEmbedding(writer: SummaryWriter, spec: EmbeddingSpec): Promise<void> {
  await writer.addEmbedding(
    { data: spec.values, shape: [spec.values.length / spec.width, spec.width] },
    { metadata: spec.metadata, metadataHeader: spec.metadataHeader, labelImg: spec.sprite, sprite: spec.spritePng, tag: spec.tag, globalStep: EMBEDDING_STEP },
  );
}

/** A class-coloured scatter plot of a 2-D layout as PNG bytes (the IMAGES tab's `projections/<source>_<method>`). */
export async function renderScatterFigure(
  points: Float32Array,
  labels: Uint16Array,
  classNames: readonly string[],
  title: string,
  subtitle: string,
): Promise<Uint8Array> {
  return renderScatter({ points, labels, classNames, title, subtitle });
}

/** A figure (PNG bytes) added to the IMAGES tab under `tag` at step 0. */
export function writeFigure(writer: SummaryWriter, tag: string, png: Uint8Array): void {
  writer.addFigure(tag, png, EMBEDDING_STEP);
}
