import { createRandom } from '@tbpipe/core/random';
import { TooFewPointsError } from './errors.ts';
import { nearestNeighbors, type KnnGraph } from './knn.ts';
import { fitPca, type PcaModel } from './pca.ts';
import { runUmap } from './umap.ts';

/**
 * One self-contained step of the projection, as plain data (typed arrays, numbers) so it can be posted to a worker
 * thread: randomness travels as a seed and is created where the task runs, which is what keeps a task's output
 * byte-identical whether it runs in a worker or on the main thread.
 */
export type ProjectionTask =
  | { kind: 'pca'; x: Float32Array; n: number; width: number; nComponents: number; seed: number }
  | { kind: 'knn'; x: Float32Array; n: number; width: number; k: number; includeSelf: boolean }
  | { kind: 'umap'; graph: KnnGraph; nComponents: number; nNeighbors: number; minDist: number; seed: number; nEpochs?: number };

/** What each task kind returns. */
export interface ProjectionTaskResults {
  pca: PcaModel;
  knn: KnnGraph;
  /** Row-major n × nComponents coordinates, and the epochs run (umap-js's rule unless `nEpochs` was given). */
  umap: { embedding: Float32Array; nEpochs: number };
}

/** The result type of a task. */
export type ProjectionTaskResult<T extends ProjectionTask> = ProjectionTaskResults[T['kind']];

/** Progress of a UMAP task: epochs done (1-based) of `nEpochs`. */
export type OnEpoch = (epoch: number, nEpochs: number) => void;

/**
 * Run a {@link ProjectionTask} in this thread: `fitPca`, `nearestNeighbors` or `runUmap` with a `createRandom(seed)`.
 * The worker threads of `worker-pool.ts` call exactly this.
 */
export async function runProjectionTask<T extends ProjectionTask>(task: T, onEpoch?: OnEpoch): Promise<ProjectionTaskResult<T>> {
  let result: ProjectionTaskResults[keyof ProjectionTaskResults];
  switch (task.kind) {
    case 'pca':
      result = fitPca(task.x, task.n, task.width, { nComponents: task.nComponents, random: createRandom(task.seed) });
      break;
    case 'knn':
      result = nearestNeighbors(task.x, task.n, task.width, task.k, { includeSelf: task.includeSelf });
      break;
    case 'umap': {
      if (task.graph.count <= task.nNeighbors) throw new TooFewPointsError(task.graph.count, task.nNeighbors);
      let nEpochs = 0;
      const embedding = await runUmap(task.graph, {
        nComponents: task.nComponents,
        nNeighbors: task.nNeighbors,
        minDist: task.minDist,
        nEpochs: task.nEpochs,
        random: createRandom(task.seed),
        onEpoch: (epoch, total) => {
          nEpochs = total;
          onEpoch?.(epoch, total);
        },
      });
      result = { embedding, nEpochs };
      break;
    }
    default:
      throw new TypeError(`runProjectionTask: unknown task kind ${(task as { kind: unknown }).kind}`);
  }
  return result as ProjectionTaskResult<T>;
}
