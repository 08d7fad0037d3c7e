import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const LAUNCH = fileURLToPath(new URL('../src/launch.mjs', import.meta.url));
const run = promisify(execFile);

// A CommonJS package with the export shapes tfjs's bundles use, plus awkward names.
const COMMONJS = `Object.defineProperty(exports, '__esModule', { value: true });
exports.add = function add(a, b) { return a + b; };
exports.version = '1.0';
exports['not-an-identifier'] = 2;
exports.delete = 'reserved word';
exports.default = 'default property';
globalThis.commonJsLoads = (globalThis.commonJsLoads ?? 0) + 1;
`;

// The entry a bin launches: TypeScript importing TypeScript, a CommonJS and an ES package, a file found through
// import.meta.url, a missing optional package, and (with --throw) an error whose stack must point into the .ts file.
const ENTRY = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ns from 'cjs-lib';
import { twice } from 'esm-lib';
import { greeting } from './greeting.ts';

const loaded = createRequire(import.meta.url)('cjs-lib');
let optional: string;
try {
  await import('not-installed-optional' as string);
  optional = 'loaded';
} catch (error) {
  optional = (error as { code?: string }).code ?? 'no code';
}
if (process.argv.includes('--throw')) {
  const fail = (): never => {
    throw new Error('thrown on purpose');
  };
  fail();
}
console.log(JSON.stringify({
  keys: Object.keys(ns).sort(),
  same: ns.default === loaded,
  loads: (globalThis as { commonJsLoads?: number }).commonJsLoads,
  add: ns.add(2, 3),
  twice: twice(21),
  greeting,
  data: readFileSync(new URL('./data.txt', import.meta.url), 'utf8').trim(),
  dataByDirname: readFileSync(\`\${import.meta.dirname}/data.txt\`, 'utf8') === readFileSync(import.meta.filename.replace(/cli\\.ts$/, 'data.txt'), 'utf8'),
  optional,
  sourceMaps: process.sourceMapsEnabled,
}));
`;

interface Workspace {
  dir: string;
  bin: string;
  cache: string;
}

async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'launch-'));
  const pkg = join(dir, 'packages', 'demo');
  await mkdir(join(pkg, 'src'), { recursive: true });
  await mkdir(join(pkg, 'bin'));
  await mkdir(join(dir, 'node_modules', 'cjs-lib'), { recursive: true });
  await mkdir(join(dir, 'node_modules', 'esm-lib'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(dir, 'node_modules', 'cjs-lib', 'package.json'), '{ "name": "cjs-lib", "main": "index.js" }\n');
  await writeFile(join(dir, 'node_modules', 'cjs-lib', 'index.js'), COMMONJS);
  await writeFile(join(dir, 'node_modules', 'esm-lib', 'package.json'), '{ "name": "esm-lib", "type": "module", "exports": "./index.js" }\n');
  await writeFile(join(dir, 'node_modules', 'esm-lib', 'index.js'), 'export const twice = (x) => 2 * x;\n');
  await writeFile(join(pkg, 'package.json'), '{ "name": "demo", "type": "module" }\n');
  await writeFile(join(pkg, 'src', 'cli.ts'), ENTRY);
  await writeFile(join(pkg, 'src', 'greeting.ts'), "export const greeting: string = 'hello';\n");
  await writeFile(join(pkg, 'src', 'data.txt'), 'beside the source\n');
  const bin = join(pkg, 'bin', 'demo.mjs');
  await writeFile(bin, `import { launch } from ${JSON.stringify(LAUNCH)};\nawait launch(new URL('../src/cli.ts', import.meta.url));\n`);
  return { dir, bin, cache: join(dir, 'node_modules', '.cache', 'tbpipe-bins') };
}

async function launchIn(ws: Workspace, env: Record<string, string> = {}, args: string[] = []) {
  const { stdout, stderr } = await run(process.execPath, [ws.bin, ...args], { env: { ...process.env, ...env } });
  return { out: JSON.parse(stdout), stderr };
}

async function bundlesIn(ws: Workspace): Promise<string[]> {
  return existsSync(ws.cache) ? (await readdir(ws.cache)).filter((name) => name.endsWith('.mjs')) : [];
}

test('a launched bin runs as a cached bundle and behaves as through tsx: CommonJS exports as Node gives them, files beside the sources, missing optional packages', async () => {
  const ws = await workspace();
  try {
    const viaTsx = await launchIn(ws, { TBPIPE_BUNDLE: '0' });
    assert.deepEqual(await bundlesIn(ws), [], 'TBPIPE_BUNDLE=0 builds nothing');
    const built = await launchIn(ws);
    const cached = await launchIn(ws);
    assert.deepEqual(built.out, viaTsx.out);
    assert.deepEqual(cached.out, viaTsx.out);
    assert.deepEqual(viaTsx.out, {
      keys: ['__esModule', 'add', 'default', 'delete', 'not-an-identifier', 'version'],
      same: true,
      loads: 1,
      add: 5,
      twice: 42,
      greeting: 'hello',
      data: 'beside the source',
      dataByDirname: true,
      optional: 'ERR_MODULE_NOT_FOUND',
      sourceMaps: true,
    });
    assert.equal(built.stderr, '');
    assert.equal((await bundlesIn(ws)).length, 1);
    const [manifestName] = (await readdir(ws.cache)).filter((name) => name.endsWith('.json'));
    const manifest = JSON.parse(await readFile(join(ws.cache, manifestName!), 'utf8'));
    const inputs = manifest.inputs.map(([path]: [string]) => path.slice(ws.dir.length + 1));
    for (const file of ['packages/demo/src/cli.ts', 'packages/demo/src/greeting.ts', 'packages/demo/package.json', 'node_modules/cjs-lib/index.js', 'node_modules/esm-lib/index.js']) {
      assert.ok(inputs.includes(file), `${file} is an input of the bundle`);
    }
    const builder = fileURLToPath(new URL('../src/bin-bundle-plugin.mjs', import.meta.url));
    assert.ok(manifest.inputs.some(([path]: [string]) => path === builder), 'the bundler itself is an input: a change to it rebuilds');
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});

test('a launched bin is rebuilt when an imported source or a CommonJS package it reads export names from changes', async () => {
  const ws = await workspace();
  try {
    const bundleNamed = async () => {
      const [manifest] = (await readdir(ws.cache)).filter((name) => name.endsWith('.json'));
      return JSON.parse(await readFile(join(ws.cache, manifest!), 'utf8')).bundle as string;
    };
    await launchIn(ws);
    const first = await bundleNamed();
    await writeFile(join(ws.dir, 'packages', 'demo', 'src', 'greeting.ts'), "export const greeting: string = 'changed';\n");
    assert.equal((await launchIn(ws)).out.greeting, 'changed');
    const second = await bundleNamed();
    assert.notEqual(second, first);
    await writeFile(join(ws.dir, 'node_modules', 'cjs-lib', 'index.js'), `${COMMONJS}exports.added = true;\n`);
    assert.ok((await launchIn(ws)).out.keys.includes('added'));
    assert.notEqual(await bundleNamed(), second);
    assert.equal((await readdir(ws.cache)).filter((name) => name.endsWith('.json')).length, 1, 'one manifest per entry');
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});

test('a rebuild deletes the cache files nothing uses, once they are older than ten minutes: earlier bundles, entries whose file is gone, temporary files', async () => {
  const ws = await workspace();
  try {
    await launchIn(ws);
    const [first] = await bundlesIn(ws);
    const gone = { format: 0, entry: join(ws.dir, 'deleted-copy', 'src', 'cli.ts'), node: process.version, bundle: 'aaaaaaaaaaaa-000000000000.mjs', inputs: [] };
    await writeFile(join(ws.cache, 'aaaaaaaaaaaa.json'), JSON.stringify(gone));
    await writeFile(join(ws.cache, gone.bundle), '');
    await writeFile(join(ws.cache, `${gone.bundle}.map`), '{}');
    await writeFile(join(ws.cache, 'bbbbbbbbbbbb.json.tmp-1-x'), '');
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    for (const name of await readdir(ws.cache)) await utimes(join(ws.cache, name), hourAgo, hourAgo);
    const young = { ...gone, entry: join(ws.dir, 'another-deleted-copy', 'cli.ts'), bundle: 'cccccccccccc-000000000000.mjs' };
    await writeFile(join(ws.cache, 'cccccccccccc.json'), JSON.stringify(young));
    await writeFile(join(ws.cache, young.bundle), '');
    await writeFile(join(ws.dir, 'packages', 'demo', 'src', 'greeting.ts'), "export const greeting: string = 'rebuilt';\n");
    assert.equal((await launchIn(ws)).out.greeting, 'rebuilt');
    const left = (await readdir(ws.cache)).sort();
    const [current] = (await bundlesIn(ws)).filter((name) => name !== young.bundle);
    assert.notEqual(current, first);
    const [manifest] = left.filter((name) => name.endsWith('.json') && name !== 'cccccccccccc.json');
    assert.deepEqual(left, [manifest, current, `${current}.map`, 'cccccccccccc.json', young.bundle].sort());
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});

test("an error thrown in a launched bin has a stack pointing into the .ts source, as through tsx", async () => {
  const ws = await workspace();
  try {
    for (const env of [{}, { TBPIPE_BUNDLE: '0' }] as Record<string, string>[]) {
      const failed = await launchIn(ws, env, ['--throw']).then(
        () => assert.fail('the bin should have failed'),
        (error: { stderr: string }) => error.stderr,
      );
      assert.match(failed, /thrown on purpose/);
      assert.match(failed, /packages\/demo\/src\/cli\.ts:17:\d+/, `stack with ${JSON.stringify(env)}`);
      assert.doesNotMatch(failed, /through tsx/, 'the bundle ran, or tsx was asked for');
    }
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});

test('a bin whose sources do not build runs through tsx, which reports the error, after one line saying why', async () => {
  const ws = await workspace();
  try {
    await writeFile(join(ws.dir, 'packages', 'demo', 'src', 'greeting.ts'), 'export const greeting: string = ;\n');
    const stderr = await launchIn(ws).then(
      () => assert.fail('the bin should have failed'),
      (error: { stderr: string }) => error.stderr,
    );
    assert.match(stderr, /^tbpipe: running packages\/demo\/src\/cli\.ts through tsx \(slower start\): .*greeting\.ts:1:\d+: /);
    assert.match(stderr.split('\n').slice(1).join('\n'), /Transform failed[^]*greeting\.ts:1:\d+/, "then tsx's own report");
    assert.deepEqual(await bundlesIn(ws), []);
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});

test('bins started together on an empty cache each run, and leave one manifest and its bundle', async () => {
  const ws = await workspace();
  try {
    const outs = await Promise.all([launchIn(ws), launchIn(ws), launchIn(ws)]);
    for (const { out } of outs) assert.equal(out.greeting, 'hello');
    assert.equal((await readdir(ws.cache)).filter((name) => name.endsWith('.json')).length, 1);
    assert.ok((await bundlesIn(ws)).length >= 1);
    assert.deepEqual((await readdir(ws.cache)).filter((name) => name.includes('.tmp-')), []);
  } finally {
    await rm(ws.dir, { recursive: true, force: true });
  }
});
