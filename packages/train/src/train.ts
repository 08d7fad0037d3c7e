import { createProgress, MANIFEST_FILE, removeTempDebris, replaceDirAtomic, TbpipeError, writeManifest, type Manifest } from '@tbpipe/core';
import { TRAIN_FILE } from '@tbpipe/ingest/contract';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  deleteCheckpoint,
  diffFingerprints,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointFingerprint,
} from './checkpoint.ts';
import { TRAIN_CONTRACT, TRAIN_FILES } from './contract.ts';
import { BatchBuffer, readTrainingSet, type TrainingSet } from './dataset.ts';
import type { BackendName, CnnTrainer, CreateCnnTrainer } from './engine/types.ts';
import type { EngineTrainer } from './engine/trainer.ts';
import { TrainAbortedError, TrainDivergedError } from './errors.ts';
import { buildGraphDefinition } from './network/graph.ts';
import { loadNetwork } from './network/builtins.ts';
import { resolveNetwork, type ResolvedNetwork } from './network/resolve.ts';
import { gradientsFromMomentum } from './histograms.ts';
import { writeHistory, type LossHistory } from './history.ts';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainOptions } from './options.ts';
import { describePredictions } from './predictions.ts';
import { TrainingReport } from './report.ts';
import { describeHost, writeJsonAtomic, type RunRecord, type RunTimings } from './run-record.ts';
import { RunningLoss } from './running-loss.ts';
import { epochOrder } from './shuffle.ts';

export { DEFAULT_TRAIN_OPTIONS } from './options.ts';
export type { TrainOptions } from './options.ts';

/** What {@link train} returns. */
export interface TrainResult {
  outDir: string;
  /** The backend that ran. */
  backend: BackendName;
  /** Mini-batches trained in total. */
  steps: number;
  /** The last logged `training loss`, or null if none was logged. */
  finalLoss: number | null;
  history: LossHistory;
  /** The step this run resumed from (a checkpoint), or null for a fresh run. */
  resumedFromStep: number | null;
  manifest: Manifest;
}

/** How often the loop yields to the event loop so signals, timers and the event writer's flushes can run. */
const YIELD_EVERY_STEPS = 64;

const badClassesMessage = (dataDir: string, count: number) =>
  `train: ${dataDir} has ${count} class name${count === 1 ? '' : 's'}, expected at least 2; ingest a dataset with two or more classes`;
const emptyMessage = (dataDir: string) =>
  `train: ${join(dataDir, TRAIN_FILE)} has 0 images, expected at least 1; check the ingest stage's input`;

/**
 * Train the network `options.network` (default the tutorial's CNN: conv 6 → pool → conv 16 → pool → fc 120 → 84 →
 * classes), resolved against the data's image shape and class count, with SGD + momentum or Adam on the ingest
 * stage's `train.arrow`, reporting to TensorBoard as the tutorial does, and write `model/`, `history.arrow`,
 * `run.json`, `volatile/timings.json` and, last, `manifest.json` into `outDir`. Checkpoints every
 * `checkpointEverySteps` mini-batches into `outDir/checkpoint/`; a rerun with the same params resumes from it and
 * ends bit-identical to an uninterrupted run.
 * @throws {UsageError} bad options; {@link TrainDivergedError} a mini-batch loss above `maxLoss` (default 1e4) or NaN;
 *   {@link TrainAbortedError} `signal` aborted; `ContractError` the data directory fails its manifest.
 * @example
 * const result = await train({ dataDir: 'artifacts/fashion-mnist/ingest', outDir: 'artifacts/fashion-mnist/train',
 *   runDir: 'runs/fashion_mnist_experiment_1' });
 * console.log(result.backend, result.finalLoss);
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const startedAt = new Date();
  const startMs = performance.now();
  const o = resolveTrainOptions(options);
  const log = o.logger.child({ stage: 'train' });
  // The spec first: a bad one fails before any data is read.
  const loaded = loadNetwork(o.network);
  const data = await readTrainingSet(o.dataDir);
  if (data.count === 0) throw new TbpipeError('TRAIN_NO_DATA', emptyMessage(o.dataDir));
  if (data.classNames.length < 2) {
    throw new TbpipeError('TRAIN_CLASSES', badClassesMessage(o.dataDir, data.classNames.length));
  }
  const shape = { height: data.height, width: data.width, channels: data.channels };
  const network: ResolvedNetwork = resolveNetwork(loaded.spec, shape, data.classNames.length);
  const networkJson = JSON.stringify(loaded.spec);
  const stepsPerEpoch = Math.ceil(data.count / o.batchSize);
  const totalSteps = Math.min(o.epochs * stepsPerEpoch, o.maxSteps);

  const createTrainer: CreateCnnTrainer =
    o.createTrainer ?? (await import('./engine/index.ts')).createCnnTrainer;
  const trainer = await createTrainer({
    backend: o.backend,
    seed: o.seed,
    learningRate: o.learningRate,
    momentum: o.momentum,
    init: o.init,
    network,
    optimizer: o.optimizer,
    nesterov: o.nesterov,
    weightDecay: o.weightDecay,
    betas: [o.beta1, o.beta2],
    eps: o.eps,
    threads: o.threads === 'auto' ? 'auto' : o.threads === '2' ? 2 : 1,
  });
  try {
    const stepNote = (trainer as { stepNote?: string }).stepNote;
    if (stepNote) log.info({ network: loaded.source }, stepNote);
    const threads = (trainer as Partial<EngineTrainer>).threadsFor?.(o.batchSize) ?? { threads: 1, why: 'engine without threads' };
    log.info({ threads: threads.threads, requested: o.threads }, `training step runs on ${threads.threads} thread${threads.threads > 1 ? 's' : ''} (${threads.why})`);
    log.info(
      { backend: trainer.backend, requested: o.backend, network: loaded.source, input: shape, classes: network.classCount, images: data.count, stepsPerEpoch, totalSteps },
      'engine ready',
    );
    await prepareOutDir(o.outDir);
    const engine = engineOf(trainer);
    const engineName = engine ? [engine.step, engine.binary].filter(Boolean).join(' ') : 'custom';
    const fingerprint: CheckpointFingerprint = {
      dataSha256: data.sha256,
      backend: trainer.backend,
      engine: engineName,
      threads: threads.threads,
      network: networkJson,
      batchSize: o.batchSize,
      optimizer: o.optimizer,
      learningRate: o.learningRate,
      momentum: o.momentum,
      nesterov: o.nesterov,
      weightDecay: o.weightDecay,
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      seed: o.seed,
      init: o.init,
      logEverySteps: o.logEverySteps,
    };
    const checkpointDir = join(o.outDir, TRAIN_FILES.checkpoint);
    const resumeFrom = await findResumePoint(checkpointDir, fingerprint, totalSteps, log);

    const running = new RunningLoss();
    const history: LossHistory = { step: [], loss: [] };
    if (resumeFrom) {
      trainer.setState(resumeFrom.state);
      running.restore(resumeFrom.runningLoss);
      history.step.push(...resumeFrom.history.step);
      history.loss.push(...resumeFrom.history.loss);
      log.info({ step: resumeFrom.step }, 'resuming from checkpoint');
    }
    const startStep = resumeFrom?.step ?? 0;
    const report = await TrainingReport.open(o.runDir, resumeFrom ? startStep : undefined);
    const batch = new BatchBuffer(o.batchSize, data.pixels);
    try {
      if (!resumeFrom) {
        batch.fill(data, epochOrder(data.count, o.seed, 0), 0);
        report.addImageGrid(batch.view().images, shape);
        report.addGraph(buildGraphDefinition(network, batch.size));
      }
      const loopStartMs = performance.now();
      const loop = await runLoop({ o, data, trainer, report, batch, running, history, fingerprint, checkpointDir, startStep, totalSteps, stepsPerEpoch, log });
      const trainSeconds = (performance.now() - loopStartMs) / 1000;
      await report.close();

      const finalLoss = history.loss.length > 0 ? history.loss[history.loss.length - 1]! : null;
      const modelDir = join(o.outDir, TRAIN_FILES.model);
      // A fresh directory swapped in whole: no stale file from an earlier run can end up in the manifest.
      await replaceDirAtomic(modelDir, (temp) => trainer.saveModel(temp));
      await writeHistory(join(o.outDir, TRAIN_FILES.history), history);
      const record: RunRecord = {
        stage: 'train',
        params: {
          network: loaded.source === 'inline' ? 'inline' : o.network,
          epochs: o.epochs,
          batchSize: o.batchSize,
          optimizer: o.optimizer,
          learningRate: o.learningRate,
          momentum: o.momentum,
          nesterov: o.nesterov,
          weightDecay: o.weightDecay,
          beta1: o.beta1,
          beta2: o.beta2,
          eps: o.eps,
          seed: o.seed,
          init: o.init,
          backend: o.backend,
          threads: o.threads,
          logEverySteps: o.logEverySteps,
          checkpointEverySteps: o.checkpointEverySteps,
          maxSteps: Number.isFinite(o.maxSteps) ? o.maxSteps : null,
        },
        seed: o.seed,
        backend: trainer.backend,
        engine: engineName,
        threads: threads.threads,
        network: { spec: loaded.spec, input: shape, classCount: network.classCount, featureWidth: network.featureWidth },
        dataSha256: data.sha256,
        trainImages: data.count,
        stepsPerEpoch,
        steps: loop.steps,
        finalLoss,
        classNames: data.classNames,
      };
      await writeJsonAtomic(join(o.outDir, TRAIN_FILES.run), record);
      const stepsRun = loop.steps - startStep;
      const timings: RunTimings = {
        startedAt: startedAt.toISOString(),
        totalSeconds: round3((performance.now() - startMs) / 1000),
        trainSeconds: round3(trainSeconds),
        stepsRun,
        stepsPerSecond: round3(stepsRun / Math.max(trainSeconds, 1e-9)),
        imagesPerSecond: round3((stepsRun * o.batchSize) / Math.max(trainSeconds, 1e-9)),
        resumedFromStep: resumeFrom ? startStep : null,
        backend: trainer.backend,
        threads: threads.threads,
        ...(engine ? { engine } : {}),
        host: describeHost(),
      };
      await writeJsonAtomic(join(o.outDir, TRAIN_FILES.timings), timings);
      const modelFiles = (await listFiles(modelDir)).map((f) => relative(o.outDir, f).split('\\').join('/'));
      const manifest = await writeManifest(o.outDir, TRAIN_CONTRACT, [...modelFiles, TRAIN_FILES.history, TRAIN_FILES.run], {
        backend: trainer.backend,
        steps: loop.steps,
      });
      await deleteCheckpoint(checkpointDir);
      log.info({ steps: loop.steps, finalLoss, backend: trainer.backend, stepsPerSecond: timings.stepsPerSecond }, 'artifacts written');
      return {
        outDir: o.outDir,
        backend: trainer.backend,
        steps: loop.steps,
        finalLoss,
        history,
        resumedFromStep: resumeFrom ? startStep : null,
        manifest,
      };
    } catch (err) {
      // Flush whatever reached TensorBoard so the curve up to the failure stays visible.
      await report.close().catch(() => {});
      throw err;
    }
  } finally {
    trainer.dispose();
  }
}

interface LoopContext {
  o: ResolvedTrainOptions;
  data: TrainingSet;
  trainer: CnnTrainer;
  report: TrainingReport;
  batch: BatchBuffer;
  running: RunningLoss;
  history: LossHistory;
  fingerprint: CheckpointFingerprint;
  checkpointDir: string;
  startStep: number;
  totalSteps: number;
  stepsPerEpoch: number;
  log: ResolvedTrainOptions['logger'];
}

/** The tutorial's training loop, from `startStep` to `totalSteps`. */
async function runLoop(c: LoopContext): Promise<{ steps: number }> {
  const { o, data, trainer, report, batch, running, history, stepsPerEpoch, totalSteps } = c;
  const progress = createProgress({ label: 'train', total: Math.max(1, totalSteps - c.startStep), unit: 'steps', logger: c.log });
  let step = c.startStep;
  let epoch = Math.floor(step / stepsPerEpoch);
  let order = epochOrder(data.count, o.seed, epoch);
  let lastCheckpoint: number | undefined = step > 0 ? step : undefined;
  let lastLoss = Number.NaN;
  while (step < totalSteps) {
    if (step === (epoch + 1) * stepsPerEpoch) {
      epoch += 1;
      order = epochOrder(data.count, o.seed, epoch);
      // A window never spans epochs: the tutorial logs at i % 1000 == 999 with i counted within the epoch.
      running.reset();
    }
    const i = step - epoch * stepsPerEpoch;
    batch.fill(data, order, i * o.batchSize);
    const { images, labels } = batch.view();
    const logging = (i + 1) % o.logEverySteps === 0;
    // The momentum buffers before the step give this step's gradients (see gradientsFromMomentum).
    const before = logging && o.histograms ? trainer.getState() : undefined;
    const loss = trainer.trainStep(images, labels);
    if (!(Number.isFinite(loss) && loss <= o.maxLoss)) throw new TrainDivergedError(loss, step, o.learningRate, o.maxLoss);
    running.add(loss);
    o.onStep?.(step, loss);

    if (logging) {
      lastLoss = Math.fround(running.take());
      history.step.push(step);
      history.loss.push(lastLoss);
      report.addTrainingLoss(lastLoss, step);
      if (before) {
        const after = trainer.getState();
        report.addParameterHistograms(after.weights, gradientsFromMomentum(before, after, o), step);
      }
      // As in the tutorial, the figure shows the first images of the batch just trained on, predicted by the updated
      // network; only those are predicted and drawn, so a log point costs the same at any batch size.
      const shown = Math.min(o.figureImages, batch.size);
      const { probabilities } = trainer.predict(images.subarray(0, shown * data.pixels), shown);
      const titles = describePredictions(probabilities, labels.subarray(0, shown), data.classNames);
      const shape = { height: data.height, width: data.width, channels: data.channels };
      await report.addPredictions(rawPixels(data, order, i * o.batchSize, shown), titles, step, shape);
      c.log.info({ step, loss: lastLoss }, 'training loss');
    }
    step += 1;

    if (step % o.checkpointEverySteps === 0 && step < totalSteps) {
      // Flush first: once the checkpoint exists, a resumed run never rewrites the points before it.
      await report.flush();
      const checkpoint: Checkpoint = {
        fingerprint: c.fingerprint,
        step,
        runningLoss: running.save(),
        history: { step: [...history.step], loss: [...history.loss] },
        state: trainer.getState(),
      };
      await writeCheckpoint(c.checkpointDir, checkpoint);
      lastCheckpoint = step;
      c.log.info({ step }, 'checkpoint');
    }
    progress.update(step - c.startStep, Number.isNaN(lastLoss) ? undefined : { loss: lastLoss.toFixed(3) });
    if (step % YIELD_EVERY_STEPS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (o.signal?.aborted && step < totalSteps) throw new TrainAbortedError(step, lastCheckpoint);
  }
  progress.done(Number.isNaN(lastLoss) ? undefined : { loss: lastLoss.toFixed(3) });
  return { steps: step };
}

/** The raw uint8 pixels of one batch (for figures, which draw pixels, not normalised floats). */
function rawPixels(data: TrainingSet, order: Uint32Array, start: number, count: number): Uint8Array {
  const n = data.pixels;
  const out = new Uint8Array(count * n);
  for (let k = 0; k < count; k++) {
    const src = order[start + k]! * n;
    out.set(data.images.subarray(src, src + n), k * n);
  }
  return out;
}

/**
 * Before anything else is written: remove `manifest.json`, so a run that dies half-way never leaves the previous
 * run's manifest vouching for a mix of old and new files, and remove debris of atomic writes interrupted by a crash
 * (`.<name>.tmp-…`, at any depth: `volatile/` too), which would otherwise end up among the cached outputs.
 */
async function prepareOutDir(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await rm(join(outDir, MANIFEST_FILE), { force: true });
  await removeTempDebris(outDir);
}

/** The checkpoint to resume from, if one exists, matches this run and lies before its end; otherwise none. */
async function findResumePoint(
  dir: string,
  fingerprint: CheckpointFingerprint,
  totalSteps: number,
  log: ResolvedTrainOptions['logger'],
): Promise<Checkpoint | undefined> {
  const found = await readCheckpoint(dir);
  if (found.kind === 'none') return undefined;
  let why: Record<string, unknown>;
  if (found.kind === 'unusable') why = { reason: found.reason };
  else {
    const differs = diffFingerprints(found.checkpoint.fingerprint, fingerprint);
    if (differs.length === 0 && found.checkpoint.step < totalSteps) return found.checkpoint;
    why = differs.length > 0 ? { differs } : { checkpointStep: found.checkpoint.step, totalSteps };
  }
  log.warn(why, 'ignoring checkpoint, starting over');
  await deleteCheckpoint(dir);
  return undefined;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The step implementation and plan binary of an engine trainer, for `volatile/timings.json` (undefined for other trainers). */
function engineOf(trainer: CnnTrainer): RunTimings['engine'] {
  const t = trainer as Partial<EngineTrainer>;
  return t.stepKind ? { step: t.stepKind, binary: t.planBinary ?? null } : undefined;
}
