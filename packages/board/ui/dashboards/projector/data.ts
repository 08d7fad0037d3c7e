/** The projector plugin's routes, typed: embeddings of a run, their float32 tensors, TSV metadata and sprites. */
import type { DashboardContext } from '../types.ts';
import { parseMetadata, type Metadata } from './metadata.ts';

export { parseMetadata, type Metadata };

/** One embedding of `projector_config.pbtxt`, as `/data/plugin/projector/info` lists it. */
export interface EmbeddingInfo {
  tensorName: string;
  tensorShape?: [number, number];
  metadataPath?: string;
  sprite?: { imagePath: string; singleImageDim: [number, number] };
}

/** A loaded embedding. */
export interface Embedding {
  info: EmbeddingInfo;
  rows: number;
  dim: number;
  /** rows × dim, row-major. */
  vectors: Float32Array;
  metadata: Metadata;
  sprite: HTMLImageElement | null;
}

const q = (run: string, name: string) => `run=${encodeURIComponent(run)}&name=${encodeURIComponent(name)}`;

/** The runs with projector data. */
export function fetchProjectorRuns(ctx: DashboardContext): Promise<string[]> {
  return ctx.fetchJson<string[]>('data/plugin/projector/runs');
}

/** The embeddings of `run`. */
export async function fetchEmbeddings(ctx: DashboardContext, run: string): Promise<EmbeddingInfo[]> {
  const info = await ctx.fetchJson<{ embeddings?: EmbeddingInfo[] }>(`data/plugin/projector/info?run=${encodeURIComponent(run)}`);
  return info.embeddings ?? [];
}

/** Fetches the tensor (float32 little-endian, TensorBoard's binary route), metadata and sprite of one embedding. */
export async function fetchEmbedding(ctx: DashboardContext, run: string, info: EmbeddingInfo): Promise<Embedding> {
  const [buffer, metaText, sprite] = await Promise.all([
    ctx.fetchBytes(`data/plugin/projector/tensor?${q(run, info.tensorName)}&num_rows=100000`),
    info.metadataPath
      ? ctx.fetchBytes(`data/plugin/projector/metadata?${q(run, info.tensorName)}&num_rows=100000`).then((b) => new TextDecoder().decode(b))
      : Promise.resolve(''),
    info.sprite ? loadSprite(ctx, run, info.tensorName) : Promise.resolve(null),
  ]);
  const vectors = new Float32Array(buffer.slice(0));
  const dim = info.tensorShape?.[1] ?? 1;
  const rows = Math.floor(vectors.length / Math.max(1, dim));
  const metadata = info.metadataPath ? parseMetadata(metaText, rows) : { columns: [], values: [] };
  return { info, rows, dim, vectors, metadata, sprite };
}

async function loadSprite(ctx: DashboardContext, run: string, name: string): Promise<HTMLImageElement> {
  const bytes = await ctx.fetchBytes(`data/plugin/projector/sprite_image?${q(run, name)}`);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}
