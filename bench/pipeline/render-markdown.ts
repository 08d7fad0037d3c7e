// The report's data → bench/REPORT.md. A pure function of the data, so the committed JSON can be re-rendered.
import type { MachineFacts } from './machine.ts';
import type { Measurement } from './measure-rss.ts';
import type { NxRun } from './run-nx.ts';
import type { StageCommand, StageRun } from './run-stage.ts';
import { median, range } from './stats.ts';
import type { TorchEpochRun, TorchSpeedRun } from './torch-peer.ts';
import type { UmapFitCase } from './umap-peer.ts';

/**
 * The targets (issues 7 and 16) and the anchor the pipeline is judged against: the tutorial script cannot run here
 * (no Python `tensorboard`), so its figures are the ones measured on this 2-core machine on 2026-12-04, in one
 * interleaved run with our cold pipeline (median): 35.1 s as written (2 DataLoader workers), 771 MB peak RSS, 25 s
 * with num_workers=0. They are recorded, never measured by this script.
 */
export const TARGETS = Object.freeze({
  /** the cached rerun of `npx nx run pipeline:all` must take less than this, seconds (median) */
  cachedRerunSeconds: 1.5,
  /** the tutorial script as written (num_workers=2), seconds, measured 2026-12-04 on this machine */
  tutorialScriptAsWrittenSeconds: 35.1,
  /** its peak RSS then, MB */
  tutorialScriptPeakRssMB: 771,
  /** the same script with num_workers=0, seconds */
  tutorialScriptNoWorkersSeconds: 25,
  /** date of those figures */
  tutorialScriptMeasuredOn: '2026-12-04',
  /** issue 16: the cold pipeline at most this fraction of the tutorial script as written */
  coldPipelineFraction: 0.33,
  /** issue 16: one UMAP fit (2-D, n_neighbors 15, min_dist 0.1, umap-js's epochs) of this many points, at most seconds */
  umapFitSeconds: { 2000: 0.6, 10000: 3 } as Record<number, number>,
});

/** Each stage's bin with `--help`: node, the bin's bundle (core's launch) and the stage's imports, no work. */
export interface StartupRun {
  stage: string;
  round: number;
  measurement: Measurement;
}

export interface TrainSample {
  source: 'direct' | 'nx';
  round: number;
  stepsPerSecond: number;
  trainSeconds: number;
  stepsRun: number;
  backend: string;
}

/** Everything one `npm run bench -- report` measured. */
export interface ReportData {
  generatedAt: string;
  command: string;
  mode: 'full' | 'quick';
  repeats: number;
  workspace: { source: string; commit: string; repoDirty: boolean };
  machine: MachineFacts;
  pipelineFile: string;
  nxTarget: string;
  dataDir: string;
  stageCommands: StageCommand[];
  stageRuns: StageRun[];
  /** `<bin> --help` per stage and round (absent from reports older than issue 16) */
  stageStartups: StartupRun[];
  /** `<bin> --help` once per stage before anything else, building each bin's bundle for the copy's paths (absent from older reports) */
  firstStarts?: StartupRun[];
  /** UMAP fits against umap-learn in the same run (absent from reports older than issue 16) */
  umapFits: UmapFitCase[];
  trainSamples: TrainSample[];
  /** test accuracy from the evaluate stage's metrics.json after each direct round (empty without an evaluate stage) */
  oursAccuracy: number[];
  nxCold: NxRun[];
  nxWarmup: NxRun;
  nxCached: NxRun[];
  torchEpoch: TorchEpochRun[];
  torchSpeed: TorchSpeedRun[];
  torchSpeedSteps: number;
  tutorialDeps: { torch: string | null; missing: string[] };
  notes: string[];
}

const s = (x: number, digits = 2): string => x.toFixed(digits);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const load1 = (ms: Measurement[]): string => {
  const [lo, hi] = range(ms.map((m) => m.loadBefore[0]));
  return lo === hi ? s(lo) : `${s(lo)}–${s(hi)}`;
};
const wall = (ms: Measurement[]) => median(ms.map((m) => m.wallSeconds));
const verdict = (ok: boolean): string => (ok ? '**met**' : '**not met**');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/**
 * Render the report as GitHub markdown. Every time is a median over the runs listed, with the 1-minute load average
 * read just before each run next to it.
 * @example
 * writeFileSync('bench/REPORT.md', renderMarkdown(data));
 */
export function renderMarkdown(d: ReportData): string {
  const out: string[] = [];
  const quick = d.mode === 'quick';
  const cold = d.nxCold.map((r) => r.measurement);
  const cached = d.nxCached.map((r) => r.measurement);
  const epochs = d.torchEpoch.map((r) => r.measurement);
  const coldMedian = wall(cold);
  const cachedMedian = wall(cached);
  const epochWall = wall(epochs);
  const epochTrain = median(d.torchEpoch.map((r) => r.result.train_s));
  const ours = median(d.trainSamples.map((t) => t.stepsPerSecond));
  const torch4 = median(d.torchSpeed.map((r) => r.stepsPerSecond[4]));
  const torch64 = median(d.torchSpeed.map((r) => r.stepsPerSecond[64]));
  const torchEpochRate = median(d.torchEpoch.map((r) => r.result.steps_per_s));
  const backends = [...new Set(d.trainSamples.map((t) => t.backend))].join(', ');
  const allHits = d.nxCached.every((r) => r.cacheHits !== null && r.cacheHits === d.stageCommands.length);
  const tutorialRunnable = d.tutorialDeps.missing.length === 0;

  out.push(`# Pipeline benchmark${quick ? ' (quick mode: fixture data, NOT the real figures)' : ''}`, '');
  out.push(
    `Generated by ${code(d.command)} on ${d.generatedAt}, from ${d.workspace.source === 'HEAD' ? `commit \`${d.workspace.commit.slice(0, 12)}\`` : `the working tree at \`${d.workspace.commit.slice(0, 12)}\`${d.workspace.repoDirty ? ' plus uncommitted changes' : ''}`}, ` +
      `copied into a temporary workspace (its own \`artifacts/\`, \`runs/\` and \`.nx/cache\`; node_modules linked). ` +
      `Times are medians over the runs shown (${d.repeats} round${d.repeats > 1 ? 's' : ''}, ours and PyTorch interleaved in each); ` +
      `"load" is the 1-minute load average just before each run (range over the runs): the machine is shared, so wall times are noisy, ` +
      `and CPU time (user + sys) is the steadier figure. Raw data: [${quick ? 'report.quick.json' : 'report.json'}](${quick ? 'report.quick.json' : 'report.json'}).`,
    '',
  );

  out.push('## Targets', '', '| target | measured | verdict |', '| --- | --- | --- |');
  const asWritten = TARGETS.tutorialScriptAsWrittenSeconds;
  const goal = TARGETS.coldPipelineFraction * asWritten;
  // The anchor is recorded, not measured here: the verdict says so instead of "met".
  const pipelineVerdict = quick
    ? 'n/a (quick mode)'
    : tutorialRunnable
      ? 'see below'
      : `${coldMedian <= goal ? 'yes' : '**no**'}: ${s(coldMedian / asWritten)}× the recorded anchor (not re-measured in this run)`;
  out.push(
    `| whole pipeline, cold (\`npx nx run ${d.nxTarget} --skip-nx-cache\`), at most ${TARGETS.coldPipelineFraction}× the PyTorch tutorial script as written (≤ ${s(goal, 1)} s) | ` +
      `ours ${s(coldMedian, 1)} s (load ${load1(cold)}) vs ${tutorialRunnable ? 'the tutorial script' : `the tutorial script: **not runnable here** (missing Python modules: ${d.tutorialDeps.missing.join(', ')}); ` +
      `recorded anchor: ${s(asWritten, 1)} s as written (2 loader workers; ${TARGETS.tutorialScriptPeakRssMB} MB peak RSS), ${TARGETS.tutorialScriptNoWorkersSeconds} s with num_workers=0, measured on this machine ${TARGETS.tutorialScriptMeasuredOn}; ` +
      `torch_reference.py \`epoch\` (training + test accuracy only, no TensorBoard, no figures: a lower bound on the script) took ${s(epochWall, 1)} s in this run (load ${load1(epochs)})`} | ${pipelineVerdict} |`,
  );
  out.push(
    `| fully cached rerun (\`npx nx run ${d.nxTarget}\`) < ${TARGETS.cachedRerunSeconds} s | ${s(cachedMedian)} s, median of ${cached.length} ` +
      `(${cached.map((m) => s(m.wallSeconds)).join(', ')}; load ${load1(cached)}); ${allHits ? `every stage from the cache` : `**not every stage from the cache** (${d.nxCached.map((r) => `${r.cacheHits}/${d.stageCommands.length}`).join(', ')})`} | ` +
      `${verdict(cachedMedian < TARGETS.cachedRerunSeconds && allHits)} |`,
  );
  for (const [points, limit] of Object.entries(TARGETS.umapFitSeconds)) {
    const c = (d.umapFits ?? []).find((f) => f.points === Number(points));
    const theirs = c?.umapLearn ? median(c.umapLearn.seconds) : null;
    out.push(
      `| one UMAP fit of ${points} points ≤ ${limit} s (steady state, one thread) | ` +
        (c
          ? `ours ${s(median(c.ours))} s vs umap-learn ${theirs === null ? 'not run' : `${s(theirs)} s (${s(theirs / median(c.ours), 1)}× ours)`}, same run (load ${s(c.load[0])})`
          : 'not measured in this run') +
        ` | ${c ? verdict(median(c.ours) <= limit) : 'n/a'} |`,
    );
  }
  out.push('');

  const stageWall = (stage: string) => median(d.stageRuns.filter((r) => r.stage === stage).map((r) => r.measurement.wallSeconds));
  const path = criticalPath(d.stageCommands, stageWall);
  if (!quick) {
    const shares = d.stageCommands.map((c) => ({ stage: c.stage, wall: stageWall(c.stage) })).sort((a, b) => b.wall - a.wall);
    const total = shares.reduce((acc, x) => acc + x.wall, 0);
    out.push(
      `Where the cold pipeline's time goes (stages run directly, medians): ${shares.map((x) => `${x.stage} ${s(x.wall, 1)} s (${((x.wall / total) * 100).toFixed(0)} % of their sum)`).join(', ')}.`,
      '',
      criticalPathText(path, coldMedian),
      '',
    );
  }
  const startups = d.stageStartups ?? [];
  if (startups.length) {
    const per = d.stageCommands.map((c) => ({ stage: c.stage, wall: median(startups.filter((r) => r.stage === c.stage).map((r) => r.measurement.wallSeconds)) }));
    const sum = per.reduce((acc, x) => acc + x.wall, 0);
    out.push(
      `Start-up inside those stage times (each bin with \`--help\`: node, its cached bundle, the stage's imports, no work; medians): ${per.map((x) => `${x.stage} ${s(x.wall)} s`).join(', ')}; ${s(sum, 1)} s in all.`,
      '',
    );
  }
  const first = d.firstStarts ?? [];
  if (first.length) {
    out.push(
      `First start of each bin in the fresh copy, before any measured run (\`--help\`; it builds the bin's bundle, which later starts reuse; stages sharing a bin build it once): ${first.map((x) => `${x.stage} ${s(x.measurement.wallSeconds)} s`).join(', ')}. The stage and pipeline figures below start from built bundles, as every run after a clone's first does.`,
      '',
    );
  }

  out.push('## Machine', '', '| fact | value |', '| --- | --- |');
  const m = d.machine;
  out.push(
    `| cores | ${m.cpus} × ${m.cpuModel} |`,
    `| memory | ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB |`,
    `| load average at start (1 / 5 / 15 min) | ${m.loadAtStart.map((x) => s(x)).join(' / ')} |`,
    `| OS | ${m.kernel} |`,
    `| Node.js | ${m.node} |`,
    `| Nx | ${m.nx ?? 'not found'} |`,
    `| training backend used (\`--backend auto\`) | ${backends || 'unknown'} |`,
    `| PyTorch | ${d.tutorialDeps.torch ?? 'not importable'} (\`/usr/bin/python3\`), ${d.torchSpeed[0]?.engine ?? ''}, 1 thread |`,
    `| peak RSS from | ${m.gnuTime ? 'GNU time `-v` (largest single process of the command)' : 'polling /proc VmHWM'} |`,
    `| data | \`${d.dataDir}\` |`,
    '',
  );

  out.push(
    '## Each stage on its own',
    '',
    `Each stage's bin run directly with the command line the Nx plugin gives its \`run\` target (below), in dependency order, ` +
      `from empty \`artifacts/\` and \`runs/\`. Wall time includes Node start-up and the bin's cached bundle.`,
    '',
    '| stage | wall (s) | CPU user+sys (s) | peak RSS (MiB) | runs (wall s) | load |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  );
  let sumWall = 0;
  for (const c of d.stageCommands) {
    const ms = d.stageRuns.filter((r) => r.stage === c.stage).map((r) => r.measurement);
    if (ms.length === 0) continue;
    const cpu = ms.every((x) => x.cpuSeconds !== null) ? s(median(ms.map((x) => x.cpuSeconds!))) : '–';
    sumWall += wall(ms);
    out.push(`| ${c.stage} | ${s(wall(ms))} | ${cpu} | ${mib(median(ms.map((x) => x.peakRssBytes)))} | ${ms.map((x) => s(x.wallSeconds)).join(', ')} | ${load1(ms)} |`);
  }
  out.push(`| **sum** (one after another) | ${s(sumWall)} | | | | |`);
  out.push(`| **critical path** (${path.stages.join(' → ')}) | ${s(path.seconds)} | | | | |`, '');
  const breakdown = stageBreakdown(d);
  if (breakdown.length) {
    out.push('What the stages report about themselves (`<out>/volatile/*.json`, numeric fields, medians over the direct runs; units as the field names say, `*Millis` and bare project fields in ms):', '');
    for (const line of breakdown) out.push(`- ${line}`);
    out.push('');
  }
  out.push('Commands (cwd: the workspace root):', '', '```');
  for (const c of d.stageCommands) out.push(c.command);
  out.push('```', '');

  out.push('## Whole pipeline: Nx against PyTorch', '', '| run | wall (s) | CPU user+sys (s) | peak RSS (MiB), largest process | runs (wall s) | load |', '| --- | ---: | ---: | ---: | --- | --- |');
  const cpuMedian = (ms: Measurement[]): number | null => (ms.length && ms.every((x) => x.cpuSeconds !== null) ? median(ms.map((x) => x.cpuSeconds!)) : null);
  const stageCpus = d.stageCommands.map((c) => cpuMedian(d.stageRuns.filter((r) => r.stage === c.stage).map((r) => r.measurement)));
  const sumCpu = stageCpus.every((x) => x !== null) ? stageCpus.reduce((a, b) => a! + b!, 0) : null;
  const coldCpu = cpuMedian(cold);
  const row = (label: string, ms: Measurement[]): string =>
    `| ${label} | ${s(wall(ms))} | ${ms.every((x) => x.cpuSeconds !== null) ? s(median(ms.map((x) => x.cpuSeconds!))) : '–'} | ${mib(median(ms.map((x) => x.peakRssBytes)))} | ${ms.map((x) => s(x.wallSeconds)).join(', ')} | ${load1(ms)} |`;
  out.push(
    row(`ours, cold: \`npx nx run ${d.nxTarget} --skip-nx-cache\` (all ${d.stageCommands.length} stages)`, cold),
    row('PyTorch: `torch_reference.py epoch` (whole process: import, load, 15 000 steps, test accuracy)', epochs),
    '',
    `Nx's share (start-up, project graph, hashing inputs and outputs, one shell per task): the cold run's median minus the critical path of the stages' medians run directly (${path.stages.join(' → ')}, ${s(path.seconds)} s) = ${s(coldMedian - path.seconds)} s of wall time, ` +
      `a difference of noisy medians; in CPU time, which GNU time sums over Nx's whole process tree, ${sumCpu === null || coldCpu === null ? 'not measured' : `${s(coldCpu - sumCpu)} s (${s(coldCpu)} − ${s(sumCpu)})`}.`,
    '',
    `Inside that PyTorch process, training alone took ${s(epochTrain)} s (median; ${d.torchEpoch.map((r) => s(r.result.train_s)).join(', ')}), ` +
      `test accuracy ${d.torchEpoch.map((r) => `${(r.result.test_accuracy * 100).toFixed(1)} %`).join(', ')}` +
      `${d.oursAccuracy.length ? `; ours (evaluate's metrics.json) ${d.oursAccuracy.map((a) => `${(a * 100).toFixed(1)} %`).join(', ')}` : ''}.`,
    '',
  );
  if (!tutorialRunnable) {
    out.push(
      `**Not measured: the tutorial script itself.** It needs ${d.tutorialDeps.missing.map((x) => `\`${x}\``).join(', ')}, which ` +
        `${d.tutorialDeps.missing.length === 1 ? 'is' : 'are'} not importable by \`/usr/bin/python3\` here (no Debian package ships \`tensorboard\`, and only the npm and Debian ` +
        `registries are reachable). The comparison above therefore uses the figures recorded on this machine on ${TARGETS.tutorialScriptMeasuredOn}: ` +
        `${s(TARGETS.tutorialScriptAsWrittenSeconds, 1)} s as written (2 loader workers), ${TARGETS.tutorialScriptPeakRssMB} MB peak RSS, ${TARGETS.tutorialScriptNoWorkersSeconds} s with num_workers=0, ` +
        `and this run's bare epoch as a lower bound. They are not re-measured by this script.`,
      '',
    );
  }

  const fits = d.umapFits ?? [];
  if (fits.length) {
    out.push(
      '## UMAP fits against umap-learn',
      '',
      'The same points for both: the first n FashionMNIST test images, reduced to 50 PCA components by @tbpipe/project and handed to umap-learn through a file; ' +
        'the same parameters: 2-D, n_neighbors 15, min_dist 0.1, umap-js\'s epoch rule (what the project stage uses; passed to umap-learn as n_epochs). ' +
        'Each side fits once untimed (JIT / numba warm-up) in its own process, then the timed fits; umap-learn with a random_state runs single-threaded, ours runs on the calling thread. ' +
        'Ours = exact 15-NN graph + umap-js\'s initializeFit (on typed arrays, same numbers) + the wasm SGD (eight edge streams in SIMD lanes, umap-js\'s per-edge updates and negative samples; the graph\'s candidates searched in float32 and ranked in Float64); theirs = `UMAP(...).fit_transform` (NN-descent, graph, SGD). kNN accuracy: leave-one-out 10-NN vote on the last layout.',
      '',
      '| points | epochs | ours (s) | runs | umap-learn (s) | runs | umap-learn / ours | 10-NN acc. ours / umap-learn | load (ours / theirs) |',
      '| ---: | ---: | ---: | --- | ---: | --- | ---: | --- | --- |',
    );
    for (const c of fits) {
      const ours = median(c.ours);
      const theirs = c.umapLearn ? median(c.umapLearn.seconds) : null;
      out.push(
        `| ${c.points} | ${c.nEpochs} | ${s(ours)} | ${c.ours.map((x) => s(x)).join(', ')} | ${theirs === null ? 'not run' : s(theirs)} | ${c.umapLearn ? c.umapLearn.seconds.map((x) => s(x)).join(', ') : (c.umapLearnMissing ?? '')} | ` +
          `${theirs === null ? '–' : s(theirs / ours, 1)} | ${(c.oursKnn10 * 100).toFixed(1)} % / ${c.umapLearn ? `${(c.umapLearn.knn10 * 100).toFixed(1)} %` : '–'} | ${s(c.load[0])} / ${s(c.load[1])} |`,
      );
    }
    out.push('');
  }

  out.push(
    '## Fully cached rerun',
    '',
    `\`npx nx run ${d.nxTarget}\` with nothing changed, after one warm-up run that filled the cache (${d.nxWarmup.cacheHits ?? '?'}/${d.stageCommands.length} hits, ${s(d.nxWarmup.measurement.wallSeconds)} s). ` +
      `Includes npx and Nx start-up.`,
    '',
    '| run | wall (s) | stage cache hits | load |',
    '| --- | ---: | --- | --- |',
  );
  d.nxCached.forEach((r, i) => out.push(`| ${i + 1} | ${s(r.measurement.wallSeconds)} | ${r.cacheHits ?? '?'}/${d.stageCommands.length}${Object.values(r.taskNotes)[0] ? ` (${[...new Set(Object.values(r.taskNotes))].join('; ')})` : ''} | ${s(r.measurement.loadBefore[0])} |`));
  out.push(`| **median** | **${s(cachedMedian)}** | | |`, '');

  out.push(
    '## Training throughput',
    '',
    `Ours: \`stepsPerSecond\` from the train stage's \`volatile/timings.json\` (training loop only, batch 4), every train run of this benchmark (direct and through Nx). ` +
      `PyTorch: \`torch_reference.py speed --threads 1 --steps ${d.torchSpeedSteps}\` (data in memory) and the \`epoch\` run's own rate.`,
    '',
    '| engine | batch 4 steps/s | runs | load |',
    '| --- | ---: | --- | --- |',
    `| ours (${backends}) | ${s(ours, 0)} | ${d.trainSamples.map((t) => s(t.stepsPerSecond, 0)).join(', ')} | ${load1(d.stageRuns.filter((r) => r.stage === 'train').map((r) => r.measurement).concat(cold))} |`,
    `| PyTorch \`speed\`, 1 thread | ${s(torch4, 0)} | ${d.torchSpeed.map((r) => s(r.stepsPerSecond[4], 0)).join(', ')} | ${load1(d.torchSpeed.map((r) => r.measurement))} |`,
    `| PyTorch \`epoch\`, 1 thread (with running-loss bookkeeping) | ${s(torchEpochRate, 0)} | ${d.torchEpoch.map((r) => s(r.result.steps_per_s, 0)).join(', ')} | ${load1(epochs)} |`,
    '',
    `**Ratio ours / PyTorch at batch 4: ${s(ours / torch4)}** against \`speed\` (${s(ours / torchEpochRate)} against the epoch run). ` +
      `PyTorch at batch 64 for reference: ${s(torch64, 0)} steps/s (${s(torch64 * 64, 0)} images/s).`,
    '',
  );

  if (d.notes.length) {
    out.push('## Notes', '');
    for (const n of d.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

/** One line per stage volatile file: its numeric fields (nested ones dotted), median over the direct runs. */
function stageBreakdown(d: ReportData): string[] {
  const lines: string[] = [];
  for (const c of d.stageCommands) {
    const runs = d.stageRuns.filter((r) => r.stage === c.stage);
    const files = [...new Set(runs.flatMap((r) => Object.keys(r.volatile)))];
    for (const file of files) {
      const fields = new Map<string, number[]>();
      for (const r of runs) {
        for (const [k, v] of Object.entries(flattenNumbers(r.volatile[file]))) fields.set(k, [...(fields.get(k) ?? []), v]);
      }
      if (fields.size === 0) continue;
      const parts = [...fields].map(([k, vs]) => `${k} ${+median(vs).toPrecision(4)}`);
      lines.push(`${c.stage} (\`volatile/${file}\`): ${parts.join(', ')}`);
    }
  }
  return lines;
}

function flattenNumbers(value: unknown, prefix = ''): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) return { [prefix]: value };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  // host facts (memory, cpus) are the machine's, already in the Machine table
  if (prefix.endsWith('host')) return {};
  return Object.assign({}, ...Object.entries(value).map(([k, v]) => flattenNumbers(v, prefix ? `${prefix}.${k}` : k)));
}

/** The longest chain of stages through the pipeline's dependencies, by their direct wall times. */
export interface CriticalPath {
  /** in run order */
  stages: string[];
  seconds: number;
  /** every stage off that chain: when it can start and end at the earliest, and how long it could take longer without delaying the pipeline */
  beside: Array<{ stage: string; seconds: number; start: number; end: number; slack: number }>;
}

/**
 * The critical path of `stages` (each with the stages it reads; without `upstream`, from a report older than the
 * project-pixels split, each stage reads the one before it), with earliest starts as if every stage could start the
 * moment its inputs exist (Nx runs up to --parallel tasks at once; on 2 cores two CPU-bound stages slow each other).
 */
export function criticalPath(stages: ReadonlyArray<{ stage: string; upstream?: string[] }>, seconds: (stage: string) => number): CriticalPath {
  const end = new Map<string, number>();
  const start = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  stages.forEach((c, i) => {
    const upstream = c.upstream ?? (i > 0 ? [stages[i - 1]!.stage] : []);
    let at = 0;
    let from: string | undefined;
    for (const u of upstream) if ((end.get(u) ?? 0) >= at) [at, from] = [end.get(u) ?? 0, u];
    start.set(c.stage, at);
    end.set(c.stage, at + seconds(c.stage));
    via.set(c.stage, from);
  });
  let last = stages[0]?.stage;
  for (const c of stages) if ((end.get(c.stage) ?? 0) > (end.get(last!) ?? 0)) last = c.stage;
  const chain: string[] = [];
  for (let at: string | undefined = last; at !== undefined; at = via.get(at)) chain.unshift(at);
  const total = last === undefined ? 0 : end.get(last)!;
  // Latest finish that keeps the total: backwards over the readers of each stage.
  const latest = new Map<string, number>();
  for (const c of [...stages].reverse()) {
    const readers = stages.filter((r) => (r.upstream ?? []).includes(c.stage));
    latest.set(c.stage, readers.length ? Math.min(...readers.map((r) => latest.get(r.stage)! - seconds(r.stage))) : total);
  }
  const beside = stages
    .filter((c) => !chain.includes(c.stage))
    .map((c) => ({ stage: c.stage, seconds: seconds(c.stage), start: start.get(c.stage)!, end: end.get(c.stage)!, slack: latest.get(c.stage)! - end.get(c.stage)! }));
  return { stages: chain, seconds: total, beside };
}

/** One paragraph: the critical path, what overlaps it, and Nx's share of the cold run. */
export function criticalPathText(path: CriticalPath, coldMedian: number): string {
  const overlap = path.beside.length
    ? ` ${path.beside
        .map((b) => `${b.stage} (${s(b.seconds, 1)} s) runs beside it, from ${s(b.start, 1)} s to ${s(b.end, 1)} s, with ${s(b.slack, 1)} s to spare before it would delay the pipeline`)
        .join('; ')} (on 2 cores; the two CPU-bound stages share the machine, so each runs a little slower than alone).`
    : '';
  return (
    `Critical path (the chain of stages that decides the cold pipeline's time; stages run directly, medians): ${path.stages.join(' → ')} = ${s(path.seconds, 1)} s.` +
    `${overlap} Nx adds about ${s(coldMedian - path.seconds, 1)} s to it (the cold run's median ${s(coldMedian, 1)} s).`
  );
}
