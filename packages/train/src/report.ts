import { removeRunFiles, SummaryWriter, stableEventFileName } from '@tbpipe/eventlog';
import { renderPredictionsFigure } from '@tbpipe/figures';
import type { GraphDef } from '@tbpipe/eventlog';
import type { NamedTensor } from './engine/types.ts';
import type { ImageShape as GridShape } from '@tbpipe/figures';
import { makeImageGrid } from './image-grid.ts';
import { FIGURE_COLUMNS } from './options.ts';
import type { PredictionTitle } from './predictions.ts';

/** The suffix of this stage's event files in the run directory. */
export const EVENT_FILE_SUFFIX = '.train';

/** TensorBoard tags, as the tutorial names them. */
export const TAGS = {
  images: 'four_fashion_mnist_images',
  loss: 'training loss',
  predictions: 'predictions vs. actuals',
} as const;

/** Histogram tag prefixes: `weights/conv1.weight`, `gradients/conv1.weight` (torch parameter names). */
export const HISTOGRAM_PREFIXES = { weights: 'weights/', gradients: 'gradients/' } as const;

/**
 * The stage's event file, the same name every run: an Nx cache restore (which writes files, deletes none) then
 * overwrites it, where a time-stamped name would leave a newer run's file beside it and TensorBoard would show both.
 */
export const EVENT_FILE_NAME = stableEventFileName(EVENT_FILE_SUFFIX);

/** Delete this stage's previous event files in `runDir` (a rerun replaces its points instead of duplicating them). */
export function removeEventFiles(runDir: string): Promise<string[]> {
  return removeRunFiles(runDir, { suffix: EVENT_FILE_SUFFIX });
}

/**
 * What the train stage shows in TensorBoard: the first batch as an image grid, the graph, the `training loss`
 * scalar and the `predictions vs. actuals` figures, all in one `.train` event file in the run directory.
 */
export class TrainingReport {
  /**
   * Writes waiting behind a figure whose PNG is still being encoded, or undefined when none is. Everything reaches
   * the event file in call order; only the training loop no longer waits for the PNG encoder (see addPredictions).
   */
  private queue: Promise<void> | undefined;

  private constructor(private readonly writer: SummaryWriter) {}

  /** Run `write` now, or after the figure being encoded, so records keep their call order. */
  private write(write: () => void): void {
    if (this.queue === undefined) write();
    else this.chain(this.queue.then(write));
  }

  private chain(queued: Promise<void>): void {
    this.queue = queued;
    // Once drained, write directly again; a failure stays in the queue for the next figure, flush or close to throw.
    queued.then(() => this.queue === queued && (this.queue = undefined), () => {});
  }

  /**
   * Open {@link EVENT_FILE_NAME} in `runDir`. With `purgeStep` (a resumed run), the interrupted run's file is
   * continued without its points at or after that step (whatever it wrote after its last checkpoint, which this run
   * is about to write again): TensorBoard's purge, applied to the file. Without it, previous `.train` files are deleted.
   */
  static async open(runDir: string, purgeStep?: number): Promise<TrainingReport> {
    if (purgeStep === undefined) await removeEventFiles(runDir);
    const writer = new SummaryWriter(runDir, {
      filenameSuffix: EVENT_FILE_SUFFIX,
      fileName: EVENT_FILE_NAME,
      ...(purgeStep === undefined ? {} : { purgeStep }),
    });
    return new TrainingReport(writer);
  }

  /** The tutorial's `add_image('four_fashion_mnist_images', make_grid(images))`, de-normalised (see makeImageGrid). */
  addImageGrid(images: Float32Array, shape?: GridShape): void {
    const grid = makeImageGrid(images, undefined, undefined, shape);
    this.write(() => this.writer.addImage(TAGS.images, { data: grid.data, shape: [grid.height, grid.width, 3] }, 0, { dataformats: 'HWC' }));
  }

  addGraph(graph: GraphDef): void {
    this.write(() => this.writer.addGraph(graph));
  }

  addTrainingLoss(loss: number, step: number): void {
    const walltime = Date.now() / 1000;
    this.write(() => this.writer.addScalar(TAGS.loss, loss, step, walltime));
  }

  /** Weight and gradient histograms of every parameter (TensorFlow's default bins, as torch's `add_histogram`). */
  addParameterHistograms(weights: readonly NamedTensor[], gradients: readonly NamedTensor[], step: number): void {
    this.write(() => {
      for (const w of weights) this.writer.addHistogram(HISTOGRAM_PREFIXES.weights + w.name, w.data, step);
      for (const g of gradients) this.writer.addHistogram(HISTOGRAM_PREFIXES.gradients + g.name, g.data, step);
    });
  }

  /**
   * Render and add one `predictions vs. actuals` figure, in rows of {@link FIGURE_COLUMNS} (the tutorial's row of 4).
   * Resolves once the figure is drawn; its PNG encoding (most of a log point's cost: ~80 % for 4 images) runs on
   * libuv's thread pool while training goes on, and later writes queue behind it. One figure at a time: the next
   * call first waits for the previous one.
   * @param pixels the raw uint8 images to draw, n × H × W × C (HWC).
   */
  async addPredictions(pixels: Uint8Array, titles: PredictionTitle[], step: number, shape?: GridShape): Promise<void> {
    await this.queue;
    const walltime = Date.now() / 1000;
    const png = renderPredictionsFigure({ images: pixels, titles, columns: FIGURE_COLUMNS, ...(shape ? { shape } : {}) }); // drawn now, encoded on the pool
    png.catch(() => {}); // not lost: awaited below, so a failure reaches the queue
    this.chain((this.queue ?? Promise.resolve()).then(async () => this.writer.addFigure(TAGS.predictions, await png, step, walltime)));
  }

  /** Make everything added so far durable (before a checkpoint, so no point before it can be lost). */
  async flush(): Promise<void> {
    await this.queue;
    await this.writer.flush();
  }

  /** Write whatever is queued and close the file; a queued figure that failed to render is thrown here. */
  async close(): Promise<void> {
    try {
      await this.queue;
    } finally {
      await this.writer.close();
    }
  }
}
