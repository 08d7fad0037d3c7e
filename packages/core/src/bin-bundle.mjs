// Plain JavaScript: a bin runs this before it can load TypeScript.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bumped when the manifest's shape changes (the bundler's own files are inputs of every bundle: see `builderFiles`). */
const FORMAT = 1;
const CACHE = join('node_modules', '.cache', 'tbpipe-bins');
/** Cache files older than this that nothing uses are deleted; younger ones may still be loading in another process. */
const STALE_MILLIS = 10 * 60 * 1000;

/**
 * @typedef {{ format: number, entry: string, node: string, bundle: string, inputs: [path: string, sha1: string][] }} Manifest
 * @typedef {{ entry: string, message: string }} FallbackReason
 */

/**
 * The file URL of a current bundle of `entry` (a TypeScript or JavaScript ES module and everything it imports), built
 * with esbuild when missing or stale; null when none can be built or cached (`onFallback` hears why).
 *
 * - **Current** means the bundle file is there and every file it was built from still has the content it had (sha1
 *   of each, listed in the manifest beside the bundle; ~300 files for a stage, ~13 ms), with the same Node, manifest
 *   format and entry path.
 * - **What is bundled:** the entry's own and sibling workspace sources and every ES-module npm package. A CommonJS
 *   package (tfjs's bundles, pino, native addons) is not: the bundle `require`s it from its installed path, as Node's
 *   own `import` of it would load it, through a small module re-exporting its properties (read once at build time),
 *   so Node never scans its source for export names. Node builtins stay imports.
 * - **Behaviour kept:** `import.meta.url` (`.dirname`, `.filename`) in each bundled file is its own original file's,
 *   so files found relative to a module (wasm binaries, workers, JSON, fonts) resolve as from the sources. Source maps (no sources content)
 *   map stack traces back to the `.ts` files.
 * - **Cache:** `node_modules/.cache/tbpipe-bins/` nearest above the entry, one manifest per entry path; bundle then
 *   manifest written to a temporary name and renamed, so a concurrent start reads either the old or the new pair.
 * @param {URL} entry
 * @param {{ onFallback?: (reason: FallbackReason) => void }} [options]
 * @returns {Promise<URL | null>}
 */
export async function bundledEntry(entry, options = {}) {
  const entryPath = fileURLToPath(entry);
  const cacheDir = cacheDirFor(entryPath);
  const fail = (message) => {
    options.onFallback?.({ entry: cacheDir ? relative(dirname(dirname(dirname(cacheDir))), entryPath) : entryPath, message });
    return null;
  };
  if (!cacheDir) return fail('no node_modules folder above it to cache a bundle in; set TBPIPE_BUNDLE=0 to skip bundling');
  const key = createHash('sha1').update(entryPath).digest('hex').slice(0, 12);
  const manifestPath = join(cacheDir, `${key}.json`);
  const cached = readManifest(manifestPath);
  if (cached && isCurrent(cached, entryPath) && existsSync(join(cacheDir, cached.bundle))) return pathToFileURL(join(cacheDir, cached.bundle));
  try {
    return await buildBundle(entryPath, cacheDir, key, manifestPath);
  } catch (error) {
    return fail(firstLine(error));
  }
}

/** The bundle cache folder for a file: `node_modules/.cache/tbpipe-bins` in the nearest ancestor with `node_modules`. */
function cacheDirFor(path) {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, CACHE);
    if (dirname(dir) === dir) return null;
  }
}

/** @returns {Manifest | null} */
function readManifest(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** @param {Manifest} manifest */
function isCurrent(manifest, entryPath) {
  if (manifest.format !== FORMAT || manifest.entry !== entryPath || manifest.node !== process.version) return false;
  for (const [path, sha1] of manifest.inputs) {
    let content;
    try {
      content = readFileSync(path);
    } catch {
      return false;
    }
    if (createHash('sha1').update(content).digest('hex') !== sha1) return false;
  }
  return true;
}

/** Build the bundle, write bundle, map and manifest atomically, prune old bundles of the same entry. */
async function buildBundle(entryPath, cacheDir, key, manifestPath) {
  const esbuild = await import('esbuild');
  const { bundlePlugin } = await import('./bin-bundle-plugin.mjs');
  const { plugin, readHashes } = bundlePlugin();
  const workingDir = process.cwd(); // the metafile's input paths are relative to it
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: workingDir,
      entryPoints: [entryPath],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      write: false,
      outdir: cacheDir,
      metafile: true,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [plugin],
    });
  } finally {
    await esbuild.stop();
  }
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  const used = readHashes();
  const sources = [...Object.keys(result.metafile.inputs).filter((p) => !p.includes(':')).map((p) => join(workingDir, p)), ...used.keys()];
  // Sources and CommonJS files carry the hash of the bytes the build used; the config and builder files are read now.
  const inputs = [...new Set([...sources, ...sources.flatMap(configFilesOf), ...builderFiles()])]
    .sort()
    .map((path) => [path, used.get(path) ?? createHash('sha1').update(readFileSync(path)).digest('hex')]);
  const digest = createHash('sha1').update(code.contents).digest('hex').slice(0, 12);
  const bundle = `${key}-${digest}.mjs`;
  // The map's name inside the bundle is the output file's; point it at the bundle's real name.
  const text = Buffer.from(code.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${bundle}.map\n`));
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(join(cacheDir, `${bundle}.map`), map.contents);
  await writeAtomically(join(cacheDir, bundle), text);
  /** @type {Manifest} */
  const manifest = { format: FORMAT, entry: entryPath, node: process.version, bundle, inputs };
  await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  await pruneCache(cacheDir);
  return pathToFileURL(join(cacheDir, bundle));
}

/** What builds a bundle: this file, the plugin, and esbuild's package.json (its version); a change to one rebuilds. */
function builderFiles() {
  const require = createRequire(import.meta.url);
  return [fileURLToPath(import.meta.url), fileURLToPath(new URL('./bin-bundle-plugin.mjs', import.meta.url)), require.resolve('esbuild/package.json')];
}

const configCache = new Map();
/**
 * The nearest package.json and tsconfig.json above a source: they decide how its imports resolve (`exports`, `type`)
 * and how esbuild compiles it, so a change to them makes the bundle stale too.
 */
function configFilesOf(path) {
  const dir = dirname(path);
  let found = configCache.get(dir);
  if (!found) {
    const parent = dirname(dir) === dir ? [] : configFilesOf(dir);
    found = ['package.json', 'tsconfig.json'].map((name) => (existsSync(join(dir, name)) ? join(dir, name) : parent.find((p) => p.endsWith(`/${name}`)))).filter(Boolean);
    configCache.set(dir, found);
  }
  return found;
}

async function writeAtomically(path, data) {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * Delete, among cache files older than {@link STALE_MILLIS}: manifests whose entry file is gone (a deleted checkout,
 * a benchmark's copy of the workspace), bundles and maps no remaining manifest names (an entry's earlier builds), and
 * temporary files a killed build left. Runs after each build, so the cache holds about one bundle per live entry.
 */
async function pruneCache(cacheDir) {
  const now = Date.now();
  const isStale = async (name) => {
    const info = await stat(join(cacheDir, name)).catch(() => null);
    return info !== null && now - info.mtimeMs > STALE_MILLIS;
  };
  const names = await readdir(cacheDir);
  const named = new Set();
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const manifest = readManifest(join(cacheDir, name));
    if (manifest && !existsSync(manifest.entry) && (await isStale(name))) await rm(join(cacheDir, name), { force: true });
    else if (manifest) named.add(manifest.bundle);
  }
  for (const name of names) {
    if (name.endsWith('.json')) continue;
    const used = named.has(name.endsWith('.map') ? name.slice(0, -'.map'.length) : name);
    if (!used && (await isStale(name))) await rm(join(cacheDir, name), { force: true });
  }
}

function firstLine(error) {
  const errors = error?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const { text, location } = errors[0];
    return location ? `${location.file}:${location.line}:${location.column}: ${text}` : text;
  }
  return String(error?.message ?? error).split('\n')[0];
}
