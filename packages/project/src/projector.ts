import { removeRunFiles, type SummaryWriter } from '@tbpipe/eventlog';
import { renderScatter } from '@tbpipe/figures';

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

/** Thumbnails of sampled images as an NCHW uint8 tensor (N × 1 × 28 × 28) for a sprite. */
export function thumbnails(images: Uint8Array, rows: ArrayLike<number>, side = 28): { data: Uint8Array; shape: number[] } {
  const px = side * side;
  const data = new Uint8Array(rows.length * px);
  for (let i = 0; i < rows.length; i++) data.set(images.subarray(rows[i] * px, (rows[i] + 1) * px), i * px);
  return { data, shape: [rows.length, 1, side, side] };
}

/** One projector embedding: n rows of `width` coordinates with the shared metadata and sprite. */
export interface EmbeddingSpec {
  tag: string;
  values: Float32Array;
  width: number;
  metadata: readonly (string | readonly string[])[];
  metadataHeader?: readonly string[];
  sprite: { data: Uint8Array; shape: number[] };
}

/** `writer.addEmbedding` for one {@link EmbeddingSpec} at step 0 (files under `00000/<tag>/`). */
export async function writeEmbedding(writer: SummaryWriter, spec: EmbeddingSpec): Promise<void> {
  await writer.addEmbedding(
    { data: spec.values, shape: [spec.values.length / spec.width, spec.width] },
    { metadata: spec.metadata, metadataHeader: spec.metadataHeader, labelImg: spec.sprite, tag: spec.tag, globalStep: EMBEDDING_STEP },
  );
}

/** A class-coloured scatter plot of a 2-D layout, added to the IMAGES tab under `tag` at step 0. */
export async function writeScatterFigure(
  writer: SummaryWriter,
  tag: string,
  points: Float32Array,
  labels: Uint8Array,
  classNames: readonly string[],
  title: string,
  subtitle: string,
): Promise<void> {
  const png = await renderScatter({ points, labels, classNames, title, subtitle });
  writer.addFigure(tag, png, EMBEDDING_STEP);
}
