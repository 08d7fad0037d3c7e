import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodesV2 } from '../src/index.mjs';
import { clearSourceCache, SCAN_CACHE_FILE } from '../src/source-closure.mjs';

type Json = Record<string, any>;
type Projects = Record<string, Json>;

/** The repository's pipeline, trimmed: the shape the tests mutate. */
const FASHION = () => ({
  name: 'fashion-mnist',
  runDir: 'runs/fashion_mnist_experiment_1',
  stages: {
    ingest: { package: '@tbpipe/ingest', params: { dataset: 'fashion-mnist' } },
    train: { package: '@tbpipe/train', inputs: { data: 'ingest' }, params: { epochs: 1, batchSize: 4, learningRate: 0.001 } },
    evaluate: { package: '@tbpipe/evaluate', inputs: { data: 'ingest', model: 'train' }, params: { numThresholds: 127 } },
  } as Record<string, Json>,
});

const PACKAGES: Record<string, Json> = {
  core: { name: '@tbpipe/core', dependencies: { 'apache-arrow': '^21', pino: '^10' } },
  util: { name: '@tbpipe/util', dependencies: {} },
  ingest: {
    name: '@tbpipe/ingest',
    bin: { 'tbpipe-ingest': './bin/tbpipe-ingest.mjs' },
    dependencies: { '@tbpipe/core': '0.1.0' },
    tbpipe: { env: ['FASHION_MNIST_DIR'] },
  },
  train: {
    name: '@tbpipe/train',
    bin: { 'tbpipe-train': './bin/tbpipe-train.mjs' },
    dependencies: { '@tbpipe/core': '0.1.0', '@tbpipe/ingest': '0.1.0', '@tensorflow/tfjs-core': '^4' },
    optionalDependencies: { 'not-installed-yet': '^1' },
  },
  evaluate: {
    name: '@tbpipe/evaluate',
    bin: './bin/tbpipe-evaluate.mjs',
    dependencies: { '@tbpipe/core': '0.1.0', '@tbpipe/train': '0.1.0' },
    tbpipe: { runOutputs: ['hparams-*/**'] },
  },
};

const LOCKED = ['apache-arrow', 'pino', '@tensorflow/tfjs-core', 'tsx'];

describe('createNodesV2 on pipelines/*/pipeline.json', () => {
  let root: string;
  const write = async (path: string, value: unknown) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  /** Write the given pipelines and return the projects Nx would get, keyed by project name. */
  const infer = async (pipelines: Record<string, unknown>, options: Json = {}): Promise<Projects> => {
    const files = [];
    for (const [name, json] of Object.entries(pipelines)) {
      const file = `pipelines/${name}/pipeline.json`;
      await write(file, json);
      files.push(file);
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
  const rejectsWith = (pipelines: Record<string, unknown>, message: string, options: Json = {}) =>
    assert.rejects(infer(pipelines, options), (err: Error) => {
      assert.equal(err.message, message);
      return true;
    });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-plugin-'));
    await write('package.json', { name: 'ws', private: true, workspaces: ['packages/*'] });
    await write('package-lock.json', {
      lockfileVersion: 3,
      packages: Object.fromEntries(LOCKED.map((n) => [`node_modules/${n}`, { version: '1.0.0' }])),
    });
    for (const [dir, manifest] of Object.entries(PACKAGES)) await write(`packages/${dir}/package.json`, manifest);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('makes one project per stage (<pipeline>-<stage>:run), one per pipeline (<pipeline>:all) and pipeline:all for the default', async () => {
    const small = FASHION();
    delete (small as Json).name;
    delete (small as Json).runDir;
    const projects = await infer({ 'fashion-mnist': FASHION(), small }, { defaultPipeline: 'fashion-mnist' });
    assert.deepEqual(Object.keys(projects).sort(), [
      'fashion-mnist',
      'fashion-mnist-evaluate',
      'fashion-mnist-ingest',
      'fashion-mnist-train',
      'pipeline',
      'small',
      'small-evaluate',
      'small-ingest',
      'small-train',
    ]);
    assert.equal(projects['fashion-mnist-train'].root, 'pipelines/fashion-mnist/train');
    assert.deepEqual(projects['fashion-mnist'].targets.all.dependsOn, [
      { projects: ['fashion-mnist-ingest', 'fashion-mnist-train', 'fashion-mnist-evaluate'], target: 'run' },
    ]);
    assert.deepEqual(projects.pipeline.targets.all.dependsOn, projects['fashion-mnist'].targets.all.dependsOn);
    assert.equal(projects['small-train'].targets.run.options.command.split(' --data')[0],
      'node packages/train/bin/tbpipe-train.mjs --out artifacts/small/train --run-dir runs/small');
  });

  it('takes the only pipeline as the default when the option is not set, and makes no pipeline:all for several', async () => {
    assert.ok((await infer({ 'fashion-mnist': FASHION() })).pipeline);
    const two = await infer({ 'fashion-mnist': FASHION(), other: { stages: FASHION().stages } });
    assert.equal(two.pipeline, undefined);
  });

  it('runs the package bin with --out, --run-dir, one flag per input and one kebab-case flag per param', async () => {
    const pipeline = FASHION();
    Object.assign(pipeline.stages.evaluate.params, { note: "it's a test", fast: true, slow: false });
    const projects = await infer({ 'fashion-mnist': pipeline });
    assert.deepEqual(projects['fashion-mnist-evaluate'].targets.run.options, {
      command:
        'node packages/evaluate/bin/tbpipe-evaluate.mjs --out artifacts/fashion-mnist/evaluate' +
        ' --run-dir runs/fashion_mnist_experiment_1 --data artifacts/fashion-mnist/ingest --model artifacts/fashion-mnist/train' +
        " --num-thresholds 127 --note 'it'\\''s a test' --fast --no-slow",
      cwd: '{workspaceRoot}',
    });
    assert.deepEqual(projects['fashion-mnist-evaluate'].targets.run.dependsOn, [
      { projects: ['fashion-mnist-ingest', 'fashion-mnist-train'], target: 'run' },
    ]);
  });

  it('hashes the files the stage’s bin loads with their packages’ package.json, their npm deps, node, declared env and upstream artifacts minus volatile/', async () => {
    // Real sources for train and ingest: train loads ingest only through its narrow "./contract" entry point.
    const sources: Record<string, string> = {
      'packages/core/src/index.ts': 'export const log = 1;\n',
      'packages/ingest/bin/tbpipe-ingest.mjs': "await import('../src/cli.ts');\n",
      'packages/ingest/src/cli.ts': "import { log } from '@tbpipe/core';\nimport { TRAIN_FILE } from './contract.ts';\n",
      'packages/ingest/src/contract.ts': "export const TRAIN_FILE = 'train.arrow';\n",
      'packages/train/bin/tbpipe-train.mjs': "await import('../src/cli.ts');\n",
      'packages/train/src/cli.ts': "import { TRAIN_FILE } from '@tbpipe/ingest/contract';\nimport * as tf from '@tensorflow/tfjs-core';\n",
    };
    for (const [file, text] of Object.entries(sources)) await write(file, text);
    await write('packages/core/package.json', { ...PACKAGES.core, exports: { '.': './src/index.ts' } });
    await write('packages/ingest/package.json', { ...PACKAGES.ingest, exports: { '.': './src/cli.ts', './contract': './src/contract.ts' } });
    try {
      const projects = await infer({ 'fashion-mnist': FASHION() });
      const train = projects['fashion-mnist-train'].targets.run;
      assert.equal(train.cache, true);
      assert.deepEqual(train.inputs, [
        '{workspaceRoot}/packages/ingest/package.json',
        '{workspaceRoot}/packages/ingest/src/contract.ts',
        '{workspaceRoot}/packages/train/bin/tbpipe-train.mjs',
        '{workspaceRoot}/packages/train/package.json',
        '{workspaceRoot}/packages/train/src/cli.ts',
        { externalDependencies: ['@tensorflow/tfjs-core', 'tsx'] },
        { runtime: 'node --version' },
        { dependentTasksOutputFiles: 'artifacts/fashion-mnist/**/!(volatile)/**' },
      ]);
      assert.deepEqual(projects['fashion-mnist-ingest'].targets.run.inputs, [
        '{workspaceRoot}/packages/core/package.json',
        '{workspaceRoot}/packages/core/src/index.ts',
        '{workspaceRoot}/packages/ingest/bin/tbpipe-ingest.mjs',
        '{workspaceRoot}/packages/ingest/package.json',
        '{workspaceRoot}/packages/ingest/src/cli.ts',
        '{workspaceRoot}/packages/ingest/src/contract.ts',
        { externalDependencies: ['apache-arrow', 'pino', 'tsx'] },
        { runtime: 'node --version' },
        { env: 'FASHION_MNIST_DIR' },
      ]);
      // A bin that does not exist yet: itself and its package.json (Node reports the missing file at run time).
      assert.deepEqual(projects['fashion-mnist-evaluate'].targets.run.inputs.slice(0, 2), [
        '{workspaceRoot}/packages/evaluate/bin/tbpipe-evaluate.mjs',
        '{workspaceRoot}/packages/evaluate/package.json',
      ]);
      assert.deepEqual(projects['fashion-mnist-train'].implicitDependencies, ['@tbpipe/train']);
    } finally {
      for (const file of Object.keys(sources)) await rm(join(root, file));
      await write('packages/core/package.json', PACKAGES.core);
      await write('packages/ingest/package.json', PACKAGES.ingest);
    }
  });

  it('keeps each scanned file’s imports in .nx/workspace-data for the next invocation, and scans a file again once its text changes', async () => {
    const sources: Record<string, string> = {
      'packages/train/bin/tbpipe-train.mjs': "await import('../src/cli.ts');\n",
      'packages/train/src/cli.ts': "import { a } from './a.ts';\n",
      'packages/train/src/a.ts': "export const a = new URL('./a.wasm', import.meta.url);\n",
      'packages/train/src/a.wasm': 'not really wasm',
      'packages/train/src/b.ts': 'export const b = 2;\n',
    };
    for (const [file, text] of Object.entries(sources)) await write(file, text);
    const trainInputs = async () => ((await infer({ 'fashion-mnist': FASHION() }))['fashion-mnist-train'].targets.run.inputs as unknown[]).filter((i) => typeof i === 'string');
    try {
      assert.ok((await trainInputs()).includes('{workspaceRoot}/packages/train/src/a.wasm'));
      const cache = JSON.parse(await readFile(join(root, '.nx/workspace-data', SCAN_CACHE_FILE), 'utf8'));
      assert.equal(typeof cache.scanner, 'string');
      assert.ok(Object.values(cache.entries).some((specifiers) => JSON.stringify(specifiers) === JSON.stringify([{ specifier: './a.wasm', kind: 'url' }])));
      // As in a new Nx process: nothing in memory, the edited file's new text is not in the cache file.
      clearSourceCache();
      await write('packages/train/src/cli.ts', "import { a } from './a.ts';\nimport { b } from './b.ts';\n");
      assert.ok((await trainInputs()).includes('{workspaceRoot}/packages/train/src/b.ts'));
      clearSourceCache();
      assert.ok((await trainInputs()).includes('{workspaceRoot}/packages/train/src/b.ts'), 'the cached scan of the new text');
    } finally {
      for (const file of Object.keys(sources)) await rm(join(root, file));
      await rm(join(root, '.nx'), { recursive: true, force: true });
    }
  });

  it('caches the artifact folder, the stage’s event files and its declared run outputs', async () => {
    const projects = await infer({ 'fashion-mnist': FASHION() });
    assert.deepEqual(projects['fashion-mnist-evaluate'].targets.run.outputs, [
      '{workspaceRoot}/artifacts/fashion-mnist/evaluate',
      '{workspaceRoot}/runs/fashion_mnist_experiment_1/**/events.out.tfevents.*.evaluate',
      '{workspaceRoot}/runs/fashion_mnist_experiment_1/hparams-*/**',
    ]);
  });

  it('gives a stage with "runDir": false no --run-dir and no run-directory outputs, and lets its package serve a second stage', async () => {
    const pipeline = FASHION();
    pipeline.stages['ingest-copy'] = { package: '@tbpipe/ingest', runDir: false, params: { dataset: 'fashion-mnist' } };
    const projects = await infer({ 'fashion-mnist': pipeline });
    const copy = projects['fashion-mnist-ingest-copy'].targets.run;
    assert.equal(copy.options.command, 'node packages/ingest/bin/tbpipe-ingest.mjs --out artifacts/fashion-mnist/ingest-copy --dataset fashion-mnist');
    assert.deepEqual(copy.outputs, ['{workspaceRoot}/artifacts/fashion-mnist/ingest-copy']);
    // The stage that writes the run directory keeps its outputs there.
    assert.deepEqual(projects['fashion-mnist-ingest'].targets.run.outputs, [
      '{workspaceRoot}/artifacts/fashion-mnist/ingest',
      '{workspaceRoot}/runs/fashion_mnist_experiment_1/**/events.out.tfevents.*.ingest',
    ]);
  });

  it('refuses "runDir": false on a stage whose options require --run-dir', async () => {
    await write('packages/train/options.schema.json', { type: 'object', properties: { runDir: { type: 'string', 'x-role': 'output', 'x-flag': 'run-dir' } }, required: ['runDir'] });
    await write('packages/train/package.json', { ...PACKAGES.train, tbpipe: { options: 'options.schema.json' } });
    try {
      const pipeline = FASHION();
      pipeline.stages.train = { package: '@tbpipe/train', runDir: false };
      await rejectsWith(
        { 'fashion-mnist': pipeline },
        `${F}: stages.train.runDir is false, but @tbpipe/train requires --run-dir (see packages/train/options.schema.json), expected a stage that can run without a run directory; remove "runDir": false`,
      );
    } finally {
      await rm(join(root, 'packages/train/options.schema.json'));
      await write('packages/train/package.json', PACKAGES.train);
    }
  });

  it('changing one stage’s params changes that stage’s project configuration and no other', async () => {
    const before = await infer({ 'fashion-mnist': FASHION() });
    const edited = FASHION();
    edited.stages.train.params.learningRate = 0.01;
    const afterEdit = await infer({ 'fashion-mnist': edited });
    const changed = Object.keys(before).filter((n) => JSON.stringify(before[n]) !== JSON.stringify(afterEdit[n]));
    assert.deepEqual(changed, ['fashion-mnist-train']);
  });

  it('orders stages so each follows the stages it reads, whatever the file order', async () => {
    const pipeline = FASHION();
    const { ingest, train, evaluate } = pipeline.stages;
    pipeline.stages = { evaluate, train, ingest };
    const projects = await infer({ 'fashion-mnist': pipeline });
    assert.deepEqual(projects['fashion-mnist'].targets.all.dependsOn[0].projects, [
      'fashion-mnist-ingest',
      'fashion-mnist-train',
      'fashion-mnist-evaluate',
    ]);
  });

  const F = 'pipelines/fashion-mnist/pipeline.json';
  const cases: Array<[string, (p: Json) => unknown, string]> = [
    ['an input naming an unknown stage', (p) => (p.stages.train.inputs.data = 'ingset'),
      `${F}: stages.train.inputs.data names stage "ingset", expected one of ingest, evaluate`],
    ['a stage reading itself', (p) => (p.stages.train.inputs.data = 'train'),
      `${F}: stages.train.inputs.data names stage "train" (a stage cannot read its own output), expected one of ingest, evaluate`],
    ['a cycle', (p) => (p.stages.train.inputs.data = 'evaluate'),
      `${F}: stages.evaluate.inputs.model names stage "train", which closes the cycle train → evaluate → train, expected each stage to read only stages that do not read it; remove one of these inputs`],
    ['an unknown package', (p) => (p.stages.train.package = '@tbpipe/trian'),
      `${F}: stages.train.package names package "@tbpipe/trian", expected a workspace package with a bin: one of @tbpipe/evaluate, @tbpipe/ingest, @tbpipe/train`],
    ['a package without a bin', (p) => (p.stages.train.package = '@tbpipe/util'),
      `${F}: stages.train.package names package "@tbpipe/util", which has no "bin" in packages/util/package.json, expected a stage package with one bin (or one named "tbpipe-util")`],
    ['a missing package', (p) => delete p.stages.train.package,
      `${F}: stages.train.package is missing, expected a workspace package with a bin: one of @tbpipe/evaluate, @tbpipe/ingest, @tbpipe/train`],
    ['a package used twice', (p) => (p.stages.again = { package: '@tbpipe/ingest' }),
      `${F}: stages.again.package names package "@tbpipe/ingest" again (stage "ingest" uses it), expected each package once per pipeline among the stages that write the run directory, because they would own the same files there; set "runDir": false on one of them if it can run without one, or make a second pipeline`],
    ['a stage runDir other than false', (p) => (p.stages.train.runDir = 'runs/x'),
      `${F}: stages.train.runDir is "runs/x", expected false (the stage writes no TensorBoard files) or no runDir (the pipeline's run directory)`],
    ['an array param', (p) => (p.stages.train.params.layers = [1, 2]),
      `${F}: stages.train.params.layers is an array, expected a string, a finite number or a boolean (each param becomes one CLI flag)`],
    ['a kebab-case param', (p) => (p.stages.train.params['batch-size'] = 4),
      `${F}: stages.train.params["batch-size"] is not a camelCase option name, expected letters and digits starting with a lowercase letter (it becomes --batch-size)`],
    ['a reserved param', (p) => (p.stages.train.params.out = 'x'),
      `${F}: stages.train.params.out is reserved, expected a name other than out, runDir, help (the plugin passes --out and --run-dir itself)`],
    ['a param that is also an input', (p) => (p.stages.train.params.data = 'x'),
      `${F}: stages.train.params.data is also an input of this stage, expected each option once`],
    ['a misspelt stage field', (p) => (p.stages.train.parms = {}),
      `${F}: stages.train.parms is not a known field, expected one of package, description, runDir, inputs, params`],
    ['a misspelt top-level field', (p) => (p.stage = {}),
      `${F}: stage is not a known field, expected one of $schema, name, description, runDir, stages, runs`],
    ['a name that is not the folder', (p) => (p.name = 'fashion'),
      `${F}: name is "fashion", expected "fashion-mnist" (the folder name); rename one of them`],
    ['a run directory outside the workspace', (p) => (p.runDir = '../runs'),
      `${F}: runDir is "../runs", expected a relative path inside the workspace such as "runs/fashion-mnist"`],
    ['no stages', (p) => (p.stages = {}),
      `${F}: stages is empty, expected an object of stages, e.g. { "ingest": { "package": "@tbpipe/ingest" } }`],
    ['a bad stage name', (p) => (p.stages.Train = p.stages.train),
      `${F}: stages.Train is not a valid stage name, expected lowercase letters, digits and dashes, starting with a letter`],
  ];
  for (const [what, mutate, message] of cases) {
    it(`rejects ${what} with the file, the JSON path and what was expected`, async () => {
      const pipeline = FASHION();
      mutate(pipeline);
      await rejectsWith({ 'fashion-mnist': pipeline }, message);
    });
  }

  it('rejects an input in a one-stage pipeline, saying there is no other stage', async () => {
    await rejectsWith({ 'fashion-mnist': { stages: { train: FASHION().stages.train } } },
      `${F}: stages.train.inputs.data names stage "ingest", expected another stage of this pipeline (it has none)`);
  });

  it('rejects invalid JSON and an unknown default pipeline', async () => {
    await rejectsWith({ 'fashion-mnist': '{ "stages": ' }, `${F}: invalid JSON (Unexpected end of JSON input), expected a JSON object`);
    await rejectsWith({ 'fashion-mnist': FASHION() },
      'nx.json: plugins[@tbpipe/nx-plugin].options.defaultPipeline is "fmnist", expected one of fashion-mnist',
      { defaultPipeline: 'fmnist' });
  });

  it('rejects a bad tbpipe block in a stage package’s package.json', async () => {
    await write('packages/ingest/package.json', { ...PACKAGES.ingest, tbpipe: { runOutputs: ['../elsewhere'] } });
    try {
      await rejectsWith({ 'fashion-mnist': FASHION() },
        'packages/ingest/package.json: tbpipe.runOutputs[0] is "../elsewhere", expected a glob relative to the run directory such as "projector_config.pbtxt"');
    } finally {
      await write('packages/ingest/package.json', PACKAGES.ingest);
    }
  });
});
