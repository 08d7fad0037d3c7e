import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodesV2 } from '../src/index.mjs';

type Json = Record<string, any>;
type Projects = Record<string, Json>;

const PACKAGES: Record<string, Json> = {
  core: { name: '@tbpipe/core', dependencies: { pino: '^10' } },
  ingest: { name: '@tbpipe/ingest', bin: { 'tbpipe-ingest': './bin/tbpipe-ingest.mjs' }, dependencies: { '@tbpipe/core': '0.1.0' } },
  train: { name: '@tbpipe/train', bin: { 'tbpipe-train': './bin/tbpipe-train.mjs' }, dependencies: { '@tbpipe/core': '0.1.0' } },
  evaluate: {
    name: '@tbpipe/evaluate',
    bin: { 'tbpipe-evaluate': './bin/tbpipe-evaluate.mjs' },
    dependencies: { '@tbpipe/core': '0.1.0' },
    tbpipe: { runOutputs: ['hparams/**'] },
  },
  extra: { name: '@tbpipe/extra', bin: { 'tbpipe-extra': './bin/tbpipe-extra.mjs' } },
};

/** A two-run learning-rate sweep over ingest → train → evaluate. */
const SWEEP = (): Json => ({
  runDir: 'runs/sweep',
  stages: {
    ingest: { package: '@tbpipe/ingest', params: { dataset: 'fashion-mnist' } },
    train: { package: '@tbpipe/train', inputs: { data: 'ingest' }, params: { epochs: 1, learningRate: 0.001, seed: 0 } },
    evaluate: { package: '@tbpipe/evaluate', inputs: { data: 'ingest', model: 'train' }, params: { numThresholds: 127 } },
  },
  runs: {
    'lr-0.001': { train: { learningRate: 0.001 } },
    'lr-0.01': { train: { learningRate: 0.01 } },
  },
});

describe('createNodesV2 on a sweep (a pipeline with "runs")', () => {
  let root: string;
  const write = async (path: string, value: unknown) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  const infer = async (pipelines: Record<string, unknown>, options: Json = {}): Promise<Projects> => {
    await rm(join(root, 'pipelines'), { recursive: true, force: true });
    const files = [];
    for (const [name, json] of Object.entries(pipelines)) {
      await write(`pipelines/${name}/pipeline.json`, json);
      files.push(`pipelines/${name}/pipeline.json`);
    }
    const results = await createNodesV2[1](files, options, { workspaceRoot: root, nxJsonConfiguration: {} } as any);
    const byName: Projects = {};
    for (const [, result] of results) {
      for (const [projectRoot, project] of Object.entries(result.projects ?? {})) {
        assert.equal(project.root, projectRoot);
        byName[project.name] = project;
      }
    }
    return byName;
  };
  const run = (projects: Projects, name: string) => projects[name].targets.run;
  const rejectsWith = (pipelines: Record<string, unknown>, message: string) =>
    assert.rejects(infer(pipelines), (err: Error) => {
      assert.equal(err.message, message);
      return true;
    });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-sweep-'));
    await write('package.json', { name: 'ws', private: true, workspaces: ['packages/*'] });
    await write('package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/pino': {}, 'node_modules/tsx': {} } });
    for (const [dir, manifest] of Object.entries(PACKAGES)) await write(`packages/${dir}/package.json`, manifest);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('shares the stages no run changes and gives each run its own copy of the changed stage and everything downstream', async () => {
    const projects = await infer({ sweep: SWEEP() });
    assert.deepEqual(Object.keys(projects).sort(), [
      'pipeline',
      'sweep',
      'sweep-ingest',
      'sweep-lr-0.001-evaluate',
      'sweep-lr-0.001-train',
      'sweep-lr-0.01-evaluate',
      'sweep-lr-0.01-train',
    ]);
    assert.equal(projects['sweep-ingest'].root, 'pipelines/sweep/ingest');
    assert.equal(projects['sweep-lr-0.01-train'].root, 'pipelines/sweep/lr-0.01/train');
  });

  it('makes each run’s chain depend on the shared ingest and on its own upstream copies only', async () => {
    const projects = await infer({ sweep: SWEEP() });
    assert.deepEqual(run(projects, 'sweep-ingest').dependsOn, []);
    assert.deepEqual(run(projects, 'sweep-lr-0.01-train').dependsOn, [{ projects: ['sweep-ingest'], target: 'run' }]);
    assert.deepEqual(run(projects, 'sweep-lr-0.01-evaluate').dependsOn, [
      { projects: ['sweep-ingest', 'sweep-lr-0.01-train'], target: 'run' },
    ]);
    assert.deepEqual(run(projects, 'sweep-lr-0.001-evaluate').dependsOn, [
      { projects: ['sweep-ingest', 'sweep-lr-0.001-train'], target: 'run' },
    ]);
  });

  it('gives each run its own artifact folder artifacts/<p>/<run>/<stage>, its own run directory <runDir>/<run> and its params', async () => {
    const projects = await infer({ sweep: SWEEP() });
    assert.equal(run(projects, 'sweep-lr-0.01-evaluate').options.command,
      'node packages/evaluate/bin/tbpipe-evaluate.mjs --out artifacts/sweep/lr-0.01/evaluate --run-dir runs/sweep/lr-0.01' +
      ' --data artifacts/sweep/ingest --model artifacts/sweep/lr-0.01/train --num-thresholds 127');
    assert.equal(run(projects, 'sweep-lr-0.01-train').options.command,
      'node packages/train/bin/tbpipe-train.mjs --out artifacts/sweep/lr-0.01/train --run-dir runs/sweep/lr-0.01' +
      ' --data artifacts/sweep/ingest --epochs 1 --learning-rate 0.01 --seed 0');
    assert.match(run(projects, 'sweep-lr-0.001-train').options.command, / --learning-rate 0\.001 /);
    assert.deepEqual(run(projects, 'sweep-lr-0.01-evaluate').outputs, [
      '{workspaceRoot}/artifacts/sweep/lr-0.01/evaluate',
      '{workspaceRoot}/runs/sweep/lr-0.01/**/events.out.tfevents.*.evaluate',
      '{workspaceRoot}/runs/sweep/lr-0.01/hparams/**',
    ]);
  });

  it('runs the shared stages once with the run directory <runDir>/_shared and the artifact folder artifacts/<p>/<stage>', async () => {
    const projects = await infer({ sweep: SWEEP() });
    assert.equal(run(projects, 'sweep-ingest').options.command,
      'node packages/ingest/bin/tbpipe-ingest.mjs --out artifacts/sweep/ingest --run-dir runs/sweep/_shared --dataset fashion-mnist');
    assert.deepEqual(run(projects, 'sweep-ingest').outputs, [
      '{workspaceRoot}/artifacts/sweep/ingest',
      '{workspaceRoot}/runs/sweep/_shared/**/events.out.tfevents.*.ingest',
    ]);
  });

  it('hashes upstream artifacts of the whole pipeline minus volatile/, so a run’s copies read their own upstream by content', async () => {
    const projects = await infer({ sweep: SWEEP() });
    assert.deepEqual(run(projects, 'sweep-lr-0.01-evaluate').inputs.at(-1), {
      dependentTasksOutputFiles: 'artifacts/sweep/**/!(volatile)/**',
    });
    assert.equal(run(projects, 'sweep-lr-0.01-evaluate').cache, true);
  });

  it('makes <p>:all and pipeline:all depend on every task and end with the summary command, uncached', async () => {
    const projects = await infer({ sweep: SWEEP() });
    for (const name of ['sweep', 'pipeline']) {
      const all = projects[name].targets.all;
      assert.deepEqual(all.dependsOn, [{
        projects: ['sweep-ingest', 'sweep-lr-0.001-train', 'sweep-lr-0.01-train', 'sweep-lr-0.001-evaluate', 'sweep-lr-0.01-evaluate'],
        target: 'run',
      }]);
      assert.equal(all.cache, false);
      assert.equal(all.executor, 'nx:run-commands');
      // pipeline:all's summary names pipeline:board, <p>:all's its own <p>:board
      const board = name === 'pipeline' ? ' --board pipeline' : '';
      assert.match(all.options.command, new RegExp(`^node \\S+/nx-plugin/bin/tbpipe-summary\\.mjs pipelines/sweep/pipeline\\.json${board}$`));
    }
  });

  it('fills a runDir template’s {run} with each run’s name, and with _shared for the shared stages', async () => {
    const sweep = SWEEP();
    sweep.runDir = 'runs/lr_{run}';
    const projects = await infer({ sweep });
    assert.match(run(projects, 'sweep-lr-0.01-train').options.command, / --run-dir runs\/lr_lr-0\.01 /);
    assert.match(run(projects, 'sweep-ingest').options.command, / --run-dir runs\/lr__shared /);
  });

  it('shares train too when the runs change only evaluate, and keeps a run’s new params after the stage’s own', async () => {
    const sweep = SWEEP();
    sweep.runs = { few: { evaluate: { numThresholds: 11, note: 'few' } }, many: { evaluate: { numThresholds: 255 } } };
    const projects = await infer({ sweep });
    assert.deepEqual(Object.keys(projects).filter((n) => n.startsWith('sweep-')).sort(),
      ['sweep-few-evaluate', 'sweep-ingest', 'sweep-many-evaluate', 'sweep-train']);
    assert.deepEqual(run(projects, 'sweep-few-evaluate').dependsOn, [{ projects: ['sweep-ingest', 'sweep-train'], target: 'run' }]);
    assert.match(run(projects, 'sweep-few-evaluate').options.command, / --model artifacts\/sweep\/train --num-thresholds 11 --note few$/);
    assert.match(run(projects, 'sweep-train').options.command, / --run-dir runs\/sweep\/_shared /);
  });

  it('leaves a plain pipeline beside a sweep as it was (one task per stage, its runDir as is)', async () => {
    const plain = SWEEP();
    delete plain.runs;
    plain.runDir = 'runs/plain';
    const projects = await infer({ plain, sweep: SWEEP() }, { defaultPipeline: 'plain' });
    assert.equal(run(projects, 'plain-train').options.command,
      'node packages/train/bin/tbpipe-train.mjs --out artifacts/plain/train --run-dir runs/plain --data artifacts/plain/ingest --epochs 1 --learning-rate 0.001 --seed 0');
  });

  const F = 'pipelines/sweep/pipeline.json';
  const cases: Array<[string, (p: Json) => unknown, string]> = [
    ['runs that are not an object', (p) => (p.runs = ['a']),
      `${F}: runs is an array, expected an object of run name → stage → param overrides, e.g. { "lr-0.01": { "train": { "learningRate": 0.01 } } }`],
    ['empty runs', (p) => (p.runs = {}),
      `${F}: runs is empty, expected an object of run name → stage → param overrides, e.g. { "lr-0.01": { "train": { "learningRate": 0.01 } } }`],
    ['a run name with capitals or a slash', (p) => (p.runs['LR/1'] = { train: { learningRate: 1 } }),
      `${F}: runs["LR/1"] is not a valid run name, expected lowercase letters, digits, dots, dashes and underscores, starting and ending with a letter or digit`],
    ['a run named like a stage (its folder would sit inside the stage’s)', (p) => (p.runs.ingest = { train: { learningRate: 1 } }),
      `${F}: runs.ingest is also a stage name, expected run names that differ from stage names (a run's artifacts go to artifacts/<pipeline>/<run>/, beside the shared stages' artifacts/<pipeline>/<stage>/)`],
    ['a run named volatile (left out of every cache key)', (p) => (p.runs.volatile = { train: { learningRate: 1 } }),
      `${F}: runs.volatile is reserved, expected another run name (folders named volatile/ are left out of every cache key)`],
    ['a run that is not an object', (p) => (p.runs['lr-1'] = 1),
      `${F}: runs["lr-1"] is 1, expected an object of stage name → param overrides, e.g. { "train": { "learningRate": 0.01 } }`],
    ['a run naming an unknown stage', (p) => (p.runs['lr-0.01'] = { trian: { learningRate: 0.01 } }),
      `${F}: runs["lr-0.01"].trian names no stage, expected one of ingest, train, evaluate`],
    ['a stage’s overrides that are not an object', (p) => (p.runs['lr-0.01'].train = 0.01),
      `${F}: runs["lr-0.01"].train is 0.01, expected an object of param name → value, e.g. { "learningRate": 0.01 }`],
    ['an override of an array', (p) => (p.runs['lr-0.01'].train.layers = [1]),
      `${F}: runs["lr-0.01"].train.layers is an array, expected a string, a finite number or a boolean (each param becomes one CLI flag)`],
    ['an override in kebab-case', (p) => (p.runs['lr-0.01'].train['learning-rate'] = 1),
      `${F}: runs["lr-0.01"].train["learning-rate"] is not a camelCase option name, expected letters and digits starting with a lowercase letter (it becomes --learning-rate)`],
    ['an override of a reserved option', (p) => (p.runs['lr-0.01'].train.runDir = 'runs/x'),
      `${F}: runs["lr-0.01"].train.runDir is reserved, expected a name other than out, runDir, help (the plugin passes --out and --run-dir itself)`],
    ['an override of an input', (p) => (p.runs['lr-0.01'].train.data = 'x'),
      `${F}: runs["lr-0.01"].train.data is an input of stage "train", expected a param (a run changes params only)`],
    ['runs that override nothing', (p) => (p.runs = { only: {} }),
      `${F}: runs overrides no param, expected at least one run to override a stage's param, e.g. { "lr-0.01": { "train": { "learningRate": 0.01 } } }`],
    ['two runs with the same params', (p) => (p.runs.again = { train: { learningRate: 0.01 } }),
      `${F}: runs.again gives every stage the same params as run "lr-0.01", expected each run to differ from the others in at least one param`],
    ['a run that only repeats the stage’s own params, beside one without overrides', (p) => (p.runs = { base: {}, same: { train: { learningRate: 0.001 } }, other: { train: { seed: 1 } } }),
      `${F}: runs.same gives every stage the same params as run "base", expected each run to differ from the others in at least one param`],
    ['a runDir placeholder other than {run}', (p) => (p.runDir = 'runs/{name}'),
      `${F}: runDir is "runs/{name}", expected {run} as the only placeholder (a sweep's runs fill it in)`],
    ['a {run} placeholder without runs', (p) => delete p.runs && (p.runDir = 'runs/{run}'),
      `${F}: runDir is "runs/{run}", which holds {run}, expected "runs" to name the runs that fill it in, or a runDir without {run}`],
    ['a runDir template inside artifacts/', (p) => (p.runDir = 'artifacts/{run}'),
      `${F}: runDir is "artifacts/{run}", expected a folder outside artifacts/ (stage artifacts live there)`],
    ['a stage named volatile', (p) => (p.stages.volatile = { package: '@tbpipe/core' }),
      `${F}: stages.volatile is reserved, expected another stage name (folders named volatile/ are left out of every cache key)`],
  ];
  for (const [what, mutate, message] of cases) {
    it(`rejects ${what} with the file, the JSON path and what was expected`, async () => {
      const sweep = SWEEP();
      mutate(sweep);
      await rejectsWith({ sweep }, message);
    });
  }

  it('rejects a pipeline whose runDir is another pipeline’s', async () => {
    const plain = SWEEP();
    delete plain.runs;
    plain.runDir = 'runs/sweep/lr-0.01';
    await rejectsWith({ sweep: SWEEP(), zplain: plain },
      'pipelines/zplain/pipeline.json: runDir is "runs/sweep/lr-0.01", which is also the run directory of run "lr-0.01" of pipelines/sweep/pipeline.json, expected every pipeline and every run its own run directory, none inside another; change runDir');
  });

  it('rejects run directories inside another pipeline’s, either way round', async () => {
    const outer = SWEEP();
    delete outer.runs;
    outer.runDir = 'runs';
    await rejectsWith({ aouter: outer, sweep: SWEEP() },
      'pipelines/sweep/pipeline.json: runDir gives the shared stages the run directory "runs/sweep/_shared", which is inside "runs", the run directory of pipelines/aouter/pipeline.json, expected every pipeline and every run its own run directory, none inside another; change runDir');
    const inner = SWEEP();
    delete inner.runs;
    inner.runDir = 'runs/sweep/lr-0.01/inner';
    await rejectsWith({ sweep: SWEEP(), zinner: inner },
      'pipelines/zinner/pipeline.json: runDir is "runs/sweep/lr-0.01/inner", which is inside "runs/sweep/lr-0.01", the run directory of run "lr-0.01" of pipelines/sweep/pipeline.json, expected every pipeline and every run its own run directory, none inside another; change runDir');
  });

  it('rejects two runs of different pipelines that get the same run directory from their templates', async () => {
    const a = SWEEP();
    a.runDir = 'runs/{run}';
    const b = SWEEP();
    b.runDir = 'runs/{run}';
    b.runs = { 'lr-0.01': { train: { learningRate: 0.01 } }, 'lr-1': { train: { learningRate: 1 } } };
    await rejectsWith({ a, b },
      'pipelines/b/pipeline.json: runDir gives the shared stages the run directory "runs/_shared", which is also the run directory of the shared stages of pipelines/a/pipeline.json, expected every pipeline and every run its own run directory, none inside another; change runDir');
  });

  it('rejects a run and a stage whose names make the same Nx project name', async () => {
    const sweep = SWEEP();
    sweep.stages['x-train'] = { package: '@tbpipe/extra' };
    sweep.runs.x = { train: { learningRate: 0.1 } };
    await rejectsWith({ sweep },
      `${F}: makes Nx project "sweep-x-train", which another of its stages or runs also makes, expected unique names; rename the pipeline, the stage or the run`);
  });
});
