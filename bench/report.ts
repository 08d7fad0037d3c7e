// Pipeline report: each stage's time and peak RSS, the whole pipeline through Nx against PyTorch, the cached rerun and the training throughput → bench/REPORT.md.
//
//   npm run bench -- report [--quick] [--repeats N] [--cached-repeats N] [--source HEAD|worktree] [--keep]
//   npm run bench -- report --render-only bench/report.json    re-render REPORT.md from its JSON, measuring nothing
//
// Runs in a temporary copy of the workspace (see pipeline/workspace.ts), never in the repo's artifacts/, runs/ or
// .nx/. The full run takes several minutes; `--quick` uses test/fixtures/fashion-mnist-small and a few training
// steps to check the whole script in about a minute and writes REPORT.quick.md instead.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { collectMachine } from './pipeline/machine.ts';
import { measureCommand } from './pipeline/measure-rss.ts';
import { renderMarkdown, type ReportData, type StartupRun, type TrainSample } from './pipeline/render-markdown.ts';
import { runNx, type NxRun } from './pipeline/run-nx.ts';
import { compareUmapFitsIn, type UmapFitCase } from './pipeline/umap-peer.ts';
import { readStageCommands, runStage, type StageRun } from './pipeline/run-stage.ts';
import { probeTutorialDeps, runTorchEpoch, runTorchSpeed, type TorchEpochRun, type TorchSpeedRun } from './pipeline/torch-peer.ts';
import { cleanOutputs, createWorkspace, patchPipelineParams, removeWorkspace, type WorkspaceSource } from './pipeline/workspace.ts';

const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Every option of the report and its default; `--quick` changes the ones in QUICK_OVERRIDES. */
export const DEFAULT_REPORT_OPTIONS = Object.freeze({
  quick: false,
  /** rounds of (every stage directly, the pipeline through Nx cold, torch epoch, torch speed) */
  repeats: 3,
  /** timed fully cached reruns, after one warm-up */
  cachedRepeats: 5,
  source: 'HEAD' as WorkspaceSource,
  /** keep the temporary workspace (for its logs) */
  keep: false,
  pipelineFile: 'pipelines/fashion-mnist/pipeline.json',
  nxTarget: 'pipeline:all',
  python: '/usr/bin/python3',
  torchReference: join(repoRoot, '../shared/reference/torch_reference.py'),
  dataDir: process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
  torchThreads: 1,
  torchSpeedSteps: 3000,
  /** UMAP fits against umap-learn: points (first n test images, PCA-50) and timed fits a side after a warm-up */
  umapSizes: [2000, 10000] as number[],
  umapRepeats: 3,
  out: join(repoRoot, 'bench/REPORT.md'),
  json: join(repoRoot, 'bench/report.json'),
});

const QUICK_OVERRIDES = {
  repeats: 1,
  cachedRepeats: 3,
  dataDir: join(repoRoot, 'test/fixtures/fashion-mnist-small'),
  torchSpeedSteps: 300,
  umapSizes: [150],
  umapRepeats: 1,
  out: join(repoRoot, 'bench/REPORT.quick.md'),
  json: join(repoRoot, 'bench/report.quick.json'),
  /** pipeline.json params patched in the copy: a smoke run, not the tutorial */
  params: { train: { maxSteps: 200 }, 'project-pixels': { featurePoints: 150 }, project: { featurePoints: 150 } },
};

const log = (msg: string): void => void process.stderr.write(`[bench report] ${msg}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      repeats: { type: 'string' },
      'cached-repeats': { type: 'string' },
      source: { type: 'string' },
      keep: { type: 'boolean' },
      'render-only': { type: 'string' },
      python: { type: 'string' },
      'torch-reference': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\nimport')[0].replace(/^\/\/ ?/gm, '') + '\n');
    return;
  }
  if (values['render-only'] !== undefined) {
    // Re-render a report from its JSON (after a change to render-markdown.ts) without measuring anything.
    const data: ReportData = { oursAccuracy: [], stageStartups: [], firstStarts: [], umapFits: [], ...JSON.parse(readFileSync(values['render-only'], 'utf8')) };
    const md = values['render-only'].replace(/report(\.quick)?\.json$/, (_, q) => `REPORT${q ?? ''}.md`);
    if (md === values['render-only']) throw new Error(`--render-only ${values['render-only']}: expected a file named report.json or report.quick.json`);
    writeFileSync(md, renderMarkdown(data));
    log(`wrote ${md}`);
    return;
  }
  const quick = values.quick ?? false;
  const o = { ...DEFAULT_REPORT_OPTIONS, ...(quick ? QUICK_OVERRIDES : {}), quick };
  const int = (v: string | undefined, name: string, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} is "${v}", expected a whole number ≥ 1`);
    return n;
  };
  const repeats = int(values.repeats, 'repeats', o.repeats);
  const cachedRepeats = int(values['cached-repeats'], 'cached-repeats', o.cachedRepeats);
  const source = (values.source ?? o.source) as WorkspaceSource;
  if (source !== 'HEAD' && source !== 'worktree') throw new Error(`--source is "${source}", expected HEAD or worktree`);
  const python = values.python ?? o.python;
  const torchReference = values['torch-reference'] ?? o.torchReference;
  if (!existsSync(torchReference)) throw new Error(`torch peer: no ${torchReference}, expected torch_reference.py; pass --torch-reference <path>`);

  const machine = collectMachine(repoRoot);
  log(`${machine.cpus} cores, load ${machine.loadAtStart.join(' ')}, node ${machine.node}; copying ${source} into a temporary workspace`);
  const ws = createWorkspace(repoRoot, source);
  const notes: string[] = [];
  try {
    if (quick) patchPipelineParams(ws, o.pipelineFile, QUICK_OVERRIDES.params);
    // NX_DAEMON=false: a daemon left running in a deleted temp dir would outlive the benchmark.
    const env: NodeJS.ProcessEnv = { ...process.env, FASHION_MNIST_DIR: o.dataDir, NX_DAEMON: 'false' };
    const commands = await readStageCommands(ws, o.pipelineFile);
    const torch = { python, script: torchReference, dataDir: o.dataDir, threads: o.torchThreads, logs: ws.logs };
    const tutorialDeps = probeTutorialDeps(python);

    // Warm-up, not in the stage figures: each bin's first start in the copy builds its bundle (core's launch; the
    // copy's paths are new to the cache), reported apart as `firstStarts`; then Nx's project graph.
    log('warm-up: each bin --help (builds its bundle), nx show projects');
    const firstStarts: StartupRun[] = [];
    for (const c of commands) {
      const m = await measureCommand(['sh', '-c', `${c.command.split(' --')[0]} --help`], { cwd: ws.root, env, logPrefix: join(ws.logs, `warmup-${c.stage}`) });
      firstStarts.push({ stage: c.stage, round: 0, measurement: m });
    }
    await measureCommand(['npx', 'nx', 'show', 'projects'], { cwd: ws.root, env, logPrefix: join(ws.logs, 'warmup-nx') });

    const stageRuns: StageRun[] = [];
    const stageStartups: StartupRun[] = [];
    const trainSamples: TrainSample[] = [];
    const oursAccuracy: number[] = [];
    const nxCold: NxRun[] = [];
    const torchEpoch: TorchEpochRun[] = [];
    const torchSpeed: TorchSpeedRun[] = [];
    const trainTimings = (source: TrainSample['source'], round: number): void => {
      const train = commands.find((c) => c.stage === 'train');
      const file = train && join(ws.root, train.outDir, 'volatile/timings.json');
      if (!file || !existsSync(file)) return;
      const t = JSON.parse(readFileSync(file, 'utf8'));
      trainSamples.push({ source, round, stepsPerSecond: t.stepsPerSecond, trainSeconds: t.trainSeconds, stepsRun: t.stepsRun, backend: t.backend });
    };
    for (let round = 1; round <= repeats; round++) {
      const tag = `round ${round}/${repeats}`;
      cleanOutputs(ws);
      for (const c of commands) {
        const r = await runStage(ws, c, round, env);
        stageRuns.push(r);
        log(`${tag} stage ${c.stage}: ${r.measurement.wallSeconds.toFixed(2)} s, ${(r.measurement.peakRssBytes / 2 ** 20).toFixed(0)} MiB (load ${r.measurement.loadBefore[0]})`);
      }
      trainTimings('direct', round);
      // Start-up of each bin: node, its cached bundle and the stage's imports, no work (`--help` exits after the imports).
      for (const c of commands) {
        const m = await measureCommand(['sh', '-c', `${c.command.split(' --')[0]} --help`], { cwd: ws.root, env, logPrefix: join(ws.logs, `round${round}-startup-${c.stage}`) });
        stageStartups.push({ stage: c.stage, round, measurement: m });
      }
      const evaluate = commands.find((c) => c.stage === 'evaluate');
      const metrics = evaluate && join(ws.root, evaluate.outDir, 'metrics.json');
      if (metrics && existsSync(metrics)) oursAccuracy.push(JSON.parse(readFileSync(metrics, 'utf8')).accuracy);
      cleanOutputs(ws);
      const cold = await runNx(ws, o.nxTarget, 'cold', round, env);
      nxCold.push(cold);
      trainTimings('nx', round);
      log(`${tag} nx cold: ${cold.measurement.wallSeconds.toFixed(2)} s (load ${cold.measurement.loadBefore[0]})`);
      const epoch = await runTorchEpoch(torch, round);
      torchEpoch.push(epoch);
      log(`${tag} torch epoch: ${epoch.measurement.wallSeconds.toFixed(2)} s, train ${epoch.result.train_s} s (load ${epoch.measurement.loadBefore[0]})`);
      const speed = await runTorchSpeed(torch, round, o.torchSpeedSteps);
      torchSpeed.push(speed);
      log(`${tag} torch speed: batch 4 ${speed.stepsPerSecond[4]} steps/s (load ${speed.measurement.loadBefore[0]})`);
    }
    // --skip-nx-cache neither reads nor writes the cache: one plain run fills it, then the timed reruns.
    const nxWarmup = await runNx(ws, o.nxTarget, 'warm-up', 0, env);
    if (nxWarmup.cacheHits === 0) trainTimings('nx', 0); // a cache hit would restore an old timings.json
    log(`nx warm-up: ${nxWarmup.measurement.wallSeconds.toFixed(2)} s, ${nxWarmup.cacheHits} hits`);
    const nxCached: NxRun[] = [];
    for (let i = 1; i <= cachedRepeats; i++) {
      const r = await runNx(ws, o.nxTarget, 'cached', i, env);
      nxCached.push(r);
      log(`cached rerun ${i}/${cachedRepeats}: ${r.measurement.wallSeconds.toFixed(2)} s, ${r.cacheHits}/${commands.length} hits (load ${r.measurement.loadBefore[0]})`);
    }

    log(`UMAP fits against umap-learn: ${o.umapSizes.join(', ')} points, ${o.umapRepeats} timed fit(s) a side after a warm-up`);
    let umapFits: UmapFitCase[] = [];
    try {
      umapFits = await compareUmapFitsIn(ws.root, { python, dataDir: o.dataDir, sizes: o.umapSizes, repeats: o.umapRepeats, logs: ws.logs });
      for (const c of umapFits) log(`umap ${c.points} points: ours ${c.ours.map((x) => x.toFixed(2)).join(', ')} s; umap-learn ${c.umapLearn ? c.umapLearn.seconds.map((x) => x.toFixed(2)).join(', ') : `not run (${c.umapLearnMissing})`}`);
    } catch (err) {
      notes.push(`UMAP comparison failed: ${err instanceof Error ? err.message : String(err)}`);
    }

    if (quick) notes.push(`Quick mode: ${relative(repoRoot, o.dataDir)} (300 train / 200 test images), pipeline params patched in the copy: ${JSON.stringify(QUICK_OVERRIDES.params)}. These figures only show that the script works.`);
    if (source === 'worktree' && ws.repoDirty) notes.push('Measured the working tree with uncommitted changes: not reproducible from the commit alone.');
    const data: ReportData = {
      generatedAt: new Date().toISOString(),
      command: `npm run bench -- report${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
      mode: quick ? 'quick' : 'full',
      repeats,
      workspace: { source, commit: ws.commit, repoDirty: ws.repoDirty },
      machine,
      pipelineFile: o.pipelineFile,
      nxTarget: o.nxTarget,
      dataDir: o.dataDir,
      stageCommands: commands,
      stageRuns,
      stageStartups,
      firstStarts,
      umapFits,
      trainSamples,
      oursAccuracy,
      nxCold,
      nxWarmup,
      nxCached,
      torchEpoch,
      torchSpeed,
      torchSpeedSteps: o.torchSpeedSteps,
      tutorialDeps,
      notes,
    };
    // Command output (Nx's log, torch's JSON lines) is in the logs; the JSON keeps the figures.
    writeFileSync(o.json, `${JSON.stringify(data, (k, v) => (k === 'stdout' || k === 'logPrefix' ? undefined : v), 2)}\n`);
    writeFileSync(o.out, renderMarkdown(data));
    log(`wrote ${relative(repoRoot, o.out)} and ${relative(repoRoot, o.json)}`);
  } finally {
    if (o.keep || values.keep) log(`kept ${ws.root} (logs in ${ws.logs})`);
    else removeWorkspace(ws);
  }
}

main().catch((err) => {
  process.stderr.write(`bench report: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
