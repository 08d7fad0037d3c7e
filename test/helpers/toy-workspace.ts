// A throwaway Nx workspace for the end-to-end cache test: the repo's real nx.json, .env and @tbpipe/nx-plugin, the repo's
// installed nx, and a three-stage pipeline ("toy": ingest → train → evaluate) whose stages are tiny node scripts that
// write deterministic artifacts plus, like the real stages, a volatile/ file and an event file whose contents differ
// every run.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fake stage, one copy per package so each package's sources can be edited on their own. */
const STAGE_SOURCE = (stage: string) => `// Fake ${stage} stage: result.txt depends only on its params and its inputs' result.txt.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '@toy/core';
// Every stage reads its upstream through ingest's narrow entry point, like the real train → @tbpipe/ingest/contract.
import { RESULT_FILE } from '@toy/ingest/contract';

export function run(argv) {
  if (VERSION < 1) throw new Error('unreachable');
  const values = {};
  for (let i = 0; i < argv.length; i += 2) values[argv[i].slice(2)] = argv[i + 1];
  const out = values.out;
  const runDir = values['run-dir'];
  const hash = createHash('sha256');
  for (const [key, value] of Object.entries(values).sort()) {
    if (key === 'out' || key === 'run-dir') continue;
    const isInput = typeof value === 'string' && value.startsWith('artifacts/');
    hash.update(key + '=' + (isInput ? readFileSync(join(value, RESULT_FILE), 'utf8') : String(value)) + '\\n');
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'volatile'), { recursive: true });
  writeFileSync(join(out, RESULT_FILE), '${stage} ' + hash.digest('hex') + '\\n');
  writeFileSync(join(out, 'volatile', 'timing.json'), JSON.stringify({ finishedAt: Date.now(), pid: process.pid }));
  // Without --run-dir (a stage with "runDir": false in pipeline.json) there is no event file to write.
  if (runDir !== undefined) {
    mkdirSync(runDir, { recursive: true });
    for (const f of readdirSync(runDir)) if (f.endsWith('.${stage}')) rmSync(join(runDir, f));
    // A fixed name, like the real stages should use: Nx restores an older cache entry over the file of the same name,
    // where a timestamped name would leave the newer file beside it (two event files for one stage in TensorBoard).
    writeFileSync(join(runDir, 'events.out.tfevents.0.tbpipe.${stage}'), String(Math.random()));
  }
  // The stage's name in the pipeline (its folder), which is the package's unless a package serves two stages.
  appendFileSync(process.env.TOY_RAN_LOG, out.split('/').pop() + '\\n');
}
`;

export const TOY_PIPELINE = {
  name: 'toy',
  runDir: 'runs/toy',
  stages: {
    ingest: { package: '@toy/ingest', params: { dataset: 'toy' } },
    train: { package: '@toy/train', inputs: { data: 'ingest' }, params: { epochs: 1, learningRate: 0.001 } },
    evaluate: { package: '@toy/evaluate', inputs: { data: 'ingest', model: 'train' }, params: { numThresholds: 127 } },
  },
};

export interface ToyWorkspace {
  root: string;
  /** Runs `npx nx <args>` in the workspace; returns the stages that executed (not restored from cache), in order. */
  nx(...args: string[]): Promise<{ ran: string[]; output: string }>;
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
}

/** Build the workspace in a fresh temporary directory. */
export async function createToyWorkspace(): Promise<ToyWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'tbpipe-nx-'));
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  const nxJson = JSON.parse(await readFile(join(REPO_ROOT, 'nx.json'), 'utf8'));
  for (const p of nxJson.plugins) if (p.plugin === '@tbpipe/nx-plugin') p.options = { defaultPipeline: 'toy' };
  delete nxJson.$schema;
  await write('nx.json', JSON.stringify(nxJson, null, 2));
  await write('.env', await readFile(join(REPO_ROOT, '.env'), 'utf8'));
  await write('.gitignore', 'node_modules/\nartifacts/\nruns/\n.nx/\n');
  await write('package.json', JSON.stringify({ name: 'toy', private: true, type: 'module', workspaces: ['packages/*'] }));
  await write('pipelines/toy/pipeline.json', JSON.stringify(TOY_PIPELINE, null, 2));
  await write(
    'packages/core/package.json',
    JSON.stringify({ name: '@toy/core', version: '0.0.0', type: 'module', exports: { '.': './src/index.mjs' } }),
  );
  await write('packages/core/src/index.mjs', 'export const VERSION = 1;\n');
  for (const stage of ['ingest', 'train', 'evaluate']) {
    await write(
      `packages/${stage}/package.json`,
      JSON.stringify({
        name: `@toy/${stage}`,
        version: '0.0.0',
        type: 'module',
        bin: { [`toy-${stage}`]: `./bin/toy-${stage}.mjs` },
        // The stage's implementation behind ".", what consumers need behind "./contract".
        exports: { '.': './src/stage.mjs', './contract': './src/contract.mjs' },
        dependencies: { '@toy/core': '0.0.0', ...(stage === 'ingest' ? {} : { '@toy/ingest': '0.0.0' }) },
      }),
    );
    await write(`packages/${stage}/bin/toy-${stage}.mjs`, `import { run } from '../src/stage.mjs';\nrun(process.argv.slice(2));\n`);
    await write(`packages/${stage}/src/stage.mjs`, STAGE_SOURCE(stage));
    await write(`packages/${stage}/src/contract.mjs`, `// What readers of ${stage}'s artifacts need.\nexport const RESULT_FILE = 'result.txt';\n`);
    await write(`packages/${stage}/test/stage.test.mjs`, `// not part of the stage's production inputs\n`);
  }
  await mkdir(join(root, 'node_modules', '.bin'), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules', 'nx'), join(root, 'node_modules', 'nx'));
  await symlink('../nx/dist/bin/nx.js', join(root, 'node_modules', '.bin', 'nx'));
  // What npm install would link, so the stages' `@toy/…` imports resolve at run time.
  await mkdir(join(root, 'node_modules', '@toy'));
  for (const pkg of ['core', 'ingest', 'train', 'evaluate']) {
    await symlink(join(root, 'packages', pkg), join(root, 'node_modules', '@toy', pkg));
  }
  await cp(join(REPO_ROOT, 'packages', 'nx-plugin'), join(root, 'node_modules', '@tbpipe', 'nx-plugin'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('nx-plugin', 'test')}`),
  });
  // …and what npm install would link for the plugin's own dependencies (its lexers, @tbpipe/core's option rules).
  const pluginManifest = JSON.parse(await readFile(join(REPO_ROOT, 'packages', 'nx-plugin', 'package.json'), 'utf8'));
  for (const dep of Object.keys(pluginManifest.dependencies ?? {})) {
    await mkdir(dirname(join(root, 'node_modules', dep)), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules', dep), join(root, 'node_modules', dep));
  }

  const ranLog = join(root, '..', `${root.split('/').pop()}.ran.log`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NX_')) env[k] = v;
  Object.assign(env, { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', TOY_RAN_LOG: ranLog });

  return {
    root,
    write,
    read: (path) => readFile(join(root, path), 'utf8'),
    async nx(...args) {
      await writeFile(ranLog, '');
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn('npx', ['nx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.stderr.on('data', (d) => (text += d));
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0 ? resolve(text) : reject(new Error(`npx nx ${args.join(' ')} exited ${code}:\n${text}`)),
        );
      });
      const ran = (await readFile(ranLog, 'utf8')).split('\n').filter(Boolean);
      return { ran, output };
    },
  };
}
