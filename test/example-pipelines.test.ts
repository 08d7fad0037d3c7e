// The example pipelines of pipelines/ (issues 14 and 15) end to end on small fixtures: each one's own pipeline.json,
// with small params, run stage by stage with the commands the Nx plugin builds for it, in a temporary workspace whose
// packages/ and node_modules/ are this repository's. The data each pipeline names is made as its README says, from the
// 300 + 200 fixture images of test/fixtures/fashion-mnist-small.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePipeline, readWorkspace, stageCommand, stagePaths, stageTasks } from '../packages/nx-plugin/src/index.mjs';
import { encodePredictions, syntheticPredictions } from '../pipelines/external-predictions/make-predictions.ts';
import { REPO_ROOT } from './helpers/toy-workspace.ts';

const FIXTURE_DATA = join(REPO_ROOT, 'test', 'fixtures', 'fashion-mnist-small');

/** Small params over each stage's own: a few dozen training steps, few thresholds and projected points. */
const SMALL: Record<string, Record<string, unknown>> = {
  train: { maxSteps: 40, logEverySteps: 20, checkpointEverySteps: 1000, backend: 'wasm' },
  evaluate: { numThresholds: 31 },
  project: { featurePoints: 100, sampleImages: 40, umapNeighbors: 8 },
  'project-pixels': { featurePoints: 100, sampleImages: 40, umapNeighbors: 8 },
};

/** Run a shell command in `cwd`; resolves with its output, rejects with it on a non-zero exit. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const human = out.split('\n').filter((l) => !l.startsWith('{')).join('\n');
      if (code === 0) resolve(out);
      else reject(new Error(`${command}\nexited ${code}:\n${human.slice(-3000)}`));
    });
  });
}

describe('the example pipelines on small fixtures', () => {
  let root: string;
  const env = { ...process.env, FASHION_MNIST_DIR: FIXTURE_DATA };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-examples-'));
    await writeFile(join(root, 'package.json'), await readFile(join(REPO_ROOT, 'package.json')));
    await copyFile(join(REPO_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
    await symlink(join(REPO_ROOT, 'packages'), join(root, 'packages'));
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /**
   * Copy pipelines/<name>/ (pipeline.json with the small params, and the files beside it), run `make` to put its data
   * in place, then run every stage with the plugin's command; returns the artifacts folder and the commands.
   */
  async function runExample(name: string, extraFiles: string[], make: (dir: string) => Promise<void>) {
    const dir = join(root, 'pipelines', name);
    await mkdir(dir, { recursive: true });
    const json = JSON.parse(await readFile(join(REPO_ROOT, 'pipelines', name, 'pipeline.json'), 'utf8'));
    for (const [stage, params] of Object.entries(SMALL)) {
      if (json.stages[stage]) json.stages[stage].params = { ...json.stages[stage].params, ...params };
    }
    await writeFile(join(dir, 'pipeline.json'), JSON.stringify(json, null, 2));
    for (const file of extraFiles) await copyFile(join(REPO_ROOT, 'pipelines', name, file), join(dir, file));
    await make(dir);
    const file = `pipelines/${name}/pipeline.json`;
    const pipeline = parsePipeline(file, json, readWorkspace(root));
    const commands: string[] = [];
    for (const task of stageTasks(pipeline)) {
      for (const p of stagePaths(task.stage)) assert.ok(p.kind, p.problem);
      const command = stageCommand(pipeline, task.stage, task);
      commands.push(command);
      await sh(command, root, env);
      const manifest = JSON.parse(await readFile(join(root, task.outDir, 'manifest.json'), 'utf8'));
      assert.ok(manifest.contract, `${task.label} wrote its manifest`);
    }
    const artifacts = join(root, 'artifacts', name);
    const metrics = JSON.parse(await readFile(join(artifacts, 'evaluate', 'metrics.json'), 'utf8'));
    assert.equal(typeof metrics.accuracy, 'number');
    assert.ok(metrics.accuracy >= 0 && metrics.accuracy <= 1);
    return { artifacts, commands, metrics };
  }

  /** `npx tsx scripts/<script> …` from the repository, writing into the test workspace. */
  const script = (args: string) => sh(`npx tsx ${args}`, REPO_ROOT, env);

  it('images-folder: a folder of 32×32 RGB PNGs, ingest --source folder, lenet5-rgb', async () => {
    const { artifacts, commands, metrics } = await runExample('images-folder', [], (dir) =>
      script(`scripts/make-image-folder.ts --out ${join(dir, 'data', 'images')} --data ${FIXTURE_DATA} --limit 300`).then(() => {}),
    );
    assert.match(commands[0]!, / --source folder --path pipelines\/images-folder\/data\/images/);
    assert.match(commands[1]!, / --network lenet5-rgb /);
    const ingest = JSON.parse(await readFile(join(artifacts, 'ingest', 'manifest.json'), 'utf8'));
    assert.match(JSON.stringify(ingest), /"32"|32/);
    assert.equal(metrics.count, 200);
  });

  it('parquet-table: a Hugging Face-layout Parquet file, ingest --source table, lenet5-rgb', async () => {
    const { commands, metrics } = await runExample('parquet-table', [], (dir) =>
      script(`scripts/make-parquet-table.ts --out ${join(dir, 'data', 'fashion-mnist.parquet')} --data ${FIXTURE_DATA} --limit 300`).then(() => {}),
    );
    assert.match(commands[0]!, / --source table --path pipelines\/parquet-table\/data\/fashion-mnist\.parquet/);
    assert.equal(metrics.count, 200);
  });

  it('external-predictions: evaluate --predictions on a predictions Parquet file, then project', async () => {
    const { artifacts, commands, metrics } = await runExample('external-predictions', [], async (dir) => {
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeFile(join(dir, 'data', 'predictions.parquet'), encodePredictions(syntheticPredictions(500, 0)));
    });
    assert.match(commands[0]!, / --predictions pipelines\/external-predictions\/data\/predictions\.parquet /);
    assert.doesNotMatch(commands[0]!, / --model /);
    assert.equal(metrics.count, 500);
    assert.ok(metrics.accuracy > 0.5, `the synthetic model is right most of the time: ${metrics.accuracy}`);
    const project = JSON.parse(await readFile(join(artifacts, 'project', 'manifest.json'), 'utf8'));
    assert.ok(project.contract);
  });

  it('wide-network: the tutorial pipeline with "network": "wide"', async () => {
    const { artifacts, commands } = await runExample('wide-network', [], async () => {});
    assert.match(commands[1]!, / --network wide /);
    // project's pixel half runs on ingest's output alone, without a run directory; project reads it as --pixels.
    const pixels = commands.find((c) => c.includes('--out artifacts/wide-network/project-pixels '))!;
    assert.match(pixels, / --data artifacts\/wide-network\/ingest /);
    assert.doesNotMatch(pixels, /--run-dir|--predictions/);
    assert.match(commands.at(-1)!, /--out artifacts\/wide-network\/project .* --pixels artifacts\/wide-network\/project-pixels --predictions artifacts\/wide-network\/evaluate /);
    const projector = await readFile(join(root, 'runs', 'wide-network', 'projector_config.pbtxt'), 'utf8');
    assert.match(projector, /tensor_name: "pixels_umap2:00000"/);
    const run = JSON.parse(await readFile(join(artifacts, 'train', 'run.json'), 'utf8'));
    assert.match(JSON.stringify(run), /wide/);
  });

  it('custom-network: the tutorial pipeline with network.json from its folder', async () => {
    const { artifacts, commands } = await runExample('custom-network', ['network.json'], async () => {});
    assert.match(commands[1]!, / --network pipelines\/custom-network\/network\.json /);
    const saved = await readFile(join(artifacts, 'train', 'model', 'network.json'), 'utf8').catch(() => '');
    const run = await readFile(join(artifacts, 'train', 'run.json'), 'utf8');
    assert.match(saved + run, /conv3/, 'the trained network is the one in the file');
  });
});

