// A stage's source closure: the workspace files its bin actually loads, found by following import specifiers from
// the bin file. These files (plus each involved package's package.json and declared runtime files) are the stage's
// code inputs, so editing a file a stage never loads (another stage's implementation behind a package's narrow
// subpath export) does not touch its cache key.
//
// Specifiers come from real lexers, so comments, strings, templates and regular expressions count for nothing:
// es-module-lexer (JavaScript and TypeScript, type-only imports marked) for the module syntax, and, only in the few
// files that mention `require` or `import.meta`, oxc-parser's AST for `require(…)` calls and `new URL(…)`. Package
// `exports` maps resolve through resolve.exports. Followed:
//   import … from 'x'; import 'x'; export … from 'x'; import('x'); require('x'); require.resolve('x');
//   import x = require('x'); new URL('./file', import.meta.url)   (a file read next to the module: only if a file)
// Not followed: `import type …` / `export type … from` (erased before run time) and non-literal `import(expr)`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init as initLexer, parse as lexModule } from 'es-module-lexer';
import { exports as resolvePackageExports } from 'resolve.exports';
import { PipelineError } from './errors.mjs';
import { externalDependencies } from './workspace.mjs';

/** @typedef {import('./workspace.mjs').Workspace} Workspace */
/** @typedef {import('./workspace.mjs').WorkspacePackage} WorkspacePackage */

/**
 * One specifier found in a source file.
 * - `static`: `import … from` / `import 'x'` / `export … from`
 * - `type`: `import type …` / `export type … from` (erased by TypeScript, never loaded)
 * - `dynamic`: `import('x')` with a string literal
 * - `require`: `require('x')` or `require.resolve('x')`
 * - `url`: `new URL('x', import.meta.url)`
 * @typedef {{ specifier: string, kind: 'static' | 'type' | 'dynamic' | 'require' | 'url' }} ImportSpecifier
 */

/**
 * @typedef {object} SourceClosure
 * @property {string[]} files        workspace-relative paths, sorted: every file loaded from the entry, the
 *                                   package.json of every workspace package they belong to and those packages'
 *                                   `tbpipe.runtimeFiles` (files or globs)
 * @property {string[]} packages     the workspace packages with a file in the closure, sorted
 * @property {string[]} npmPackages  non-workspace packages imported by name (builtins aside), sorted
 */

/** Files the lexer reads; anything else in a closure (JSON, .wasm, …) is an input but is not scanned. */
const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** What a relative specifier without an extension may name, in this order (tsx's resolution, minus oddities). */
const EXTENSIONS = ['.ts', '.mts', '.tsx', '.mjs', '.js', '.cjs', '.cts', '.json'];
const INDEX_FILES = ['index.ts', 'index.mts', 'index.mjs', 'index.js'];
/** TypeScript's convention: `./x.js` in source names `./x.ts`. */
const TS_TWIN = /** @type {Record<string, string[]>} */ ({ '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] });
/** `exports` conditions Node (and tsx) match besides `default` and `import` / `require` (resolve.exports adds those). */
const NODE_CONDITIONS = ['node', 'module-sync'];
const BUILTINS = new Set(builtinModules);
const GLOB_CHARS = /[*?[\]{}!]/;

/** path → { text, specifiers }: a file is lexed again only when its text changed (Nx may keep the plugin loaded). */
/** @type {Map<string, { text: string, specifiers: ImportSpecifier[] }>} */
const scanCache = new Map();

/**
 * The source closure of one stage package's bin, as Nx inputs: its files (for `{workspaceRoot}/…` file entries) and
 * the npm packages to hash (`externalDependencies`): every npm package the closure imports by name, every npm package
 * the involved workspace packages declare (some are loaded by name without an import: pino transports, fonts located
 * with `require.resolve`, tfjs's .wasm binaries), and `tools`; only names the lockfile knows (Nx rejects others).
 * @param {Workspace} workspace
 * @param {{ name: string, bin: string }} stagePackage  `bin` relative to the workspace root
 * @param {Iterable<string>} [tools]  npm packages the command itself runs (the bins register `tsx`)
 * @returns {{ files: string[], packages: string[], externalDependencies: string[] }}
 */
export function stageSources(workspace, stagePackage, tools = []) {
  // Every stage task of every pipeline asks for its bin's closure (fashion-mnist alone: project twice, and each sweep
  // run again): computed once per bin per workspace snapshot.
  let memo = sourcesMemo.get(workspace);
  if (memo === undefined) sourcesMemo.set(workspace, (memo = new Map()));
  const toolList = [...tools];
  const key = JSON.stringify([stagePackage.bin, toolList]);
  let sources = memo.get(key);
  if (sources === undefined) {
    const closure = sourceClosure(workspace, stagePackage.bin);
    const pkgs = closure.packages.map((name) => /** @type {WorkspacePackage} */ (workspace.packages.get(name)));
    sources = {
      files: closure.files,
      packages: closure.packages,
      externalDependencies: externalDependencies(workspace, pkgs, [...toolList, ...closure.npmPackages]),
    };
    memo.set(key, sources);
  }
  // Copies: callers own what they get.
  return { files: [...sources.files], packages: [...sources.packages], externalDependencies: [...sources.externalDependencies] };
}

/** @type {WeakMap<Workspace, Map<string, { files: string[], packages: string[], externalDependencies: string[] }>>} */
const sourcesMemo = new WeakMap();

/**
 * Every workspace file `entry` loads, transitively. Relative specifiers resolve to files (exact, then TypeScript's
 * `.js` → `.ts`, then with an extension from {@link EXTENSIONS}, then `<dir>/index.*`); a workspace package's name
 * (`@tbpipe/train/predictor`) resolves through that package's package.json `exports`; other names are npm packages.
 * An entry that does not exist yet is its own closure (the command fails at run time with Node's own message).
 * @param {Workspace} workspace
 * @param {string} entry  relative to the workspace root
 * @returns {SourceClosure}
 * @throws {PipelineError} `SOURCE_UNRESOLVED` naming the importing file when a specifier resolves to nothing;
 *   `PACKAGE_TBPIPE` for a bad `tbpipe.runtimeFiles`.
 */
export function sourceClosure(workspace, entry) {
  const root = workspace.root;
  const dirs = [...workspace.packages.values()].sort((a, b) => b.dir.length - a.dir.length);
  /** @param {string} file */
  const ownerOf = (file) => dirs.find((p) => file.startsWith(`${p.dir}/`));
  const files = new Set([entry]);
  /** @type {Set<string>} */
  const npmPackages = new Set();
  const queue = [entry];
  if (isFile(join(root, entry))) {
    while (queue.length > 0) {
      const file = /** @type {string} */ (queue.pop());
      for (const target of loads(workspace, file)) {
        if (target.npm !== undefined) npmPackages.add(target.npm);
        else if (!files.has(target.file)) {
          files.add(target.file);
          queue.push(target.file);
        }
      }
    }
  }
  /** @type {Set<string>} */
  const packages = new Set();
  for (const file of [...files]) {
    const pkg = ownerOf(file);
    if (!pkg || packages.has(pkg.name)) continue;
    packages.add(pkg.name);
    files.add(`${pkg.dir}/package.json`);
    for (const extra of runtimeFiles(root, pkg)) files.add(extra);
  }
  return { files: [...files].sort(), packages: [...packages].sort(), npmPackages: [...npmPackages].sort() };
}

/**
 * Per workspace snapshot (one per Nx invocation: `readWorkspace` makes a new one), what each file loads, resolved:
 * the stages of all pipelines share most files.
 * @type {WeakMap<Workspace, Map<string, Array<{ file: string, npm?: undefined } | { npm: string }>>>}
 */
const loadsMemo = new WeakMap();

/**
 * The resolved run-time imports of one workspace file (none for a file that is not code).
 * @param {Workspace} workspace
 * @param {string} file  workspace-relative
 * @returns {Array<{ file: string, npm?: undefined } | { npm: string }>}
 */
function loads(workspace, file) {
  let memo = loadsMemo.get(workspace);
  if (memo === undefined) loadsMemo.set(workspace, (memo = new Map()));
  let targets = memo.get(file);
  if (targets === undefined) {
    targets = [];
    if (CODE_FILE.test(file)) {
      for (const { specifier, kind } of scanFile(workspace, join(workspace.root, file))) {
        if (kind === 'type') continue;
        const target = resolveSpecifier(workspace, file, specifier, kind);
        if (target !== null) targets.push(target);
      }
    }
    memo.set(file, targets);
  }
  return targets;
}

/**
 * A package's `tbpipe.runtimeFiles`: files (or globs) its code reads at run time that no import names, e.g.
 * `"wasm/plan.wasm"`; relative to the package, inside it. A plain path must exist.
 * @param {string} root
 * @param {WorkspacePackage} pkg
 * @returns {string[]} workspace-relative
 */
function runtimeFiles(root, pkg) {
  const value = pkg.tbpipe.runtimeFiles;
  if (value === undefined) return [];
  const where = `${pkg.dir}/package.json: tbpipe.runtimeFiles`;
  if (!Array.isArray(value)) {
    throw new PipelineError('PACKAGE_TBPIPE', `${where} is ${typeof value === 'object' && value !== null ? 'an object' : JSON.stringify(value)}, expected an array of paths relative to the package`);
  }
  return value.map((item, i) => {
    const path = typeof item === 'string' ? posix.normalize(item) : '';
    if (path === '' || path === '.' || path.startsWith('/') || path.startsWith('../') || path === '..') {
      throw new PipelineError('PACKAGE_TBPIPE', `${where}[${i}] is ${JSON.stringify(item)}, expected a file or glob inside the package such as "wasm/plan.wasm"`);
    }
    const file = `${pkg.dir}/${path}`;
    if (!GLOB_CHARS.test(path) && !isFile(join(root, file))) {
      throw new PipelineError('PACKAGE_TBPIPE', `${where}[${i}] is ${JSON.stringify(item)}, which is not a file (${file}), expected a file the package reads at run time`);
    }
    return file;
  });
}

/**
 * Resolve one specifier found in `from`.
 * @param {Workspace} workspace
 * @param {string} from  the importing file, workspace-relative
 * @param {string} specifier
 * @param {ImportSpecifier['kind']} kind
 * @returns {{ file: string, npm?: undefined } | { npm: string } | null}  null: a builtin, a `data:` URL, or a `new URL`
 *   naming no file
 */
function resolveSpecifier(workspace, from, specifier, kind) {
  const fail = (/** @type {string} */ rest) => {
    throw new PipelineError('SOURCE_UNRESOLVED', `${from}: ${kind === 'url' ? 'reads' : 'imports'} "${specifier}", ${rest}`);
  };
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || specifier.startsWith('data:')) return null;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const target = posix.normalize(posix.join(posix.dirname(from), specifier.replace(/[?#].*$/, '')));
    if (target === '..' || target.startsWith('../')) return fail('which is outside the workspace, expected a file of the workspace');
    if (kind === 'url') return isFile(join(workspace.root, target)) ? { file: target } : null;
    const file = resolveFile(workspace.root, target);
    if (file === null) {
      return fail(`which resolves to no file (tried ${target} with ${[...new Set([...tsTwins(target), ...EXTENSIONS])].join(', ')} and ${target}/index.*), expected a path to a file of the workspace`);
    }
    return { file };
  }
  if (specifier.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    return fail('expected a relative path, a workspace package or an npm package (absolute paths and URLs make the cache key depend on files Nx does not see)');
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (BUILTINS.has(name)) return null;
  const pkg = workspace.packages.get(name);
  if (!pkg) return kind === 'url' ? null : { npm: name };
  const subpath = specifier === name ? '.' : `.${specifier.slice(name.length)}`;
  return { file: resolveExport(workspace.root, pkg, subpath, kind === 'require', fail) };
}

/**
 * A workspace package's subpath (`.`, `./predictor`) → the file it names, through package.json `exports` as Node
 * resolves it (resolve.exports: exact keys, then `*` patterns; conditions `node`, `import` or `require`, `default`;
 * `types` is never a run-time condition). A package without `exports` exposes `main` (or `index.js`) and every file.
 * @param {string} root
 * @param {WorkspacePackage} pkg
 * @param {string} subpath
 * @param {boolean} require  a `require`, not an `import`
 * @param {(rest: string) => never} fail
 * @returns {string}
 */
function resolveExport(root, pkg, subpath, require, fail) {
  const manifestPath = `${pkg.dir}/package.json`;
  const manifest = readManifest(join(root, manifestPath));
  if (manifest.exports === undefined || manifest.exports === null) {
    const target = posix.join(pkg.dir, subpath === '.' ? (typeof manifest.main === 'string' ? manifest.main : 'index.js') : subpath);
    const file = resolveFile(root, target);
    return file ?? fail(`which resolves to no file (${target}; ${manifestPath} has no "exports"), expected a file of ${pkg.name}`);
  }
  /** @type {string[] | void} */
  let targets;
  try {
    targets = resolvePackageExports(manifest, subpath, { require, conditions: NODE_CONDITIONS });
  } catch (err) {
    // resolve.exports says "Missing …" for a subpath exports lacks, "No known conditions …" when no condition matches.
    const known = /No known conditions/.test(/** @type {Error} */ (err).message);
    const exported = typeof manifest.exports === 'object' && !Array.isArray(manifest.exports) && Object.keys(manifest.exports).some((k) => k.startsWith('.'));
    const keys = exported ? Object.keys(manifest.exports) : ['.'];
    const offered = keys.filter((k) => k !== './package.json').map((key) => `"${pkg.name}${key === '.' ? '' : key.slice(1)}"`).join(', ');
    return fail(`which ${manifestPath} "exports" does not define${known ? ' for an import at run time' : ''}, expected one of ${offered}; import one of those or add the subpath to "exports"`);
  }
  const path = /** @type {string[]} */ (targets)[0];
  if (!path.startsWith('./')) return fail(`which ${manifestPath} "exports" maps to ${JSON.stringify(path)}, expected a path starting with "./"`);
  const file = posix.normalize(posix.join(pkg.dir, path));
  if (!isFile(join(root, file))) return fail(`which ${manifestPath} "exports" maps to ${file}, which does not exist, expected an existing file`);
  return file;
}

/**
 * @param {string} target  workspace-relative path without resolution applied
 * @returns {string[]}
 */
function tsTwins(target) {
  const ext = posix.extname(target);
  return (TS_TWIN[ext] ?? []).map((twin) => target.slice(0, -ext.length) + twin);
}

/**
 * @param {string} root
 * @param {string} target  workspace-relative
 * @returns {string | null}  the workspace-relative file
 */
function resolveFile(root, target) {
  if (isFile(join(root, target))) return target;
  for (const twin of tsTwins(target)) if (isFile(join(root, twin))) return twin;
  for (const ext of EXTENSIONS) if (isFile(join(root, target + ext))) return target + ext;
  for (const index of INDEX_FILES) if (isFile(join(root, target, index))) return `${target}/${index}`;
  return null;
}

/**
 * @param {string} path absolute
 * @returns {boolean}
 */
function isFile(path) {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** @type {Map<string, { text: string, json: Record<string, any> }>} */
const manifestCache = new Map();

/**
 * @param {string} path absolute path of a package.json
 * @returns {Record<string, any>}
 */
function readManifest(path) {
  const text = readFileSync(path, 'utf8');
  const cached = manifestCache.get(path);
  if (cached?.text === text) return cached.json;
  const json = JSON.parse(text);
  manifestCache.set(path, { text, json });
  return json;
}

/**
 * The specifiers of one file, lexed once per distinct content: in this process (Nx may keep the plugin loaded), and
 * across Nx invocations through the workspace's scan cache ({@link saveScanCache}), keyed by the file's sha1.
 * @param {Workspace} workspace
 * @param {string} path absolute
 * @returns {ImportSpecifier[]}
 */
function scanFile(workspace, path) {
  const text = readFileSync(path, 'utf8');
  const cached = scanCache.get(path);
  const disk = diskCacheOf(workspace);
  const key = createHash('sha1').update(text).digest('base64');
  disk.used.add(key);
  if (cached?.text === text) return cached.specifiers;
  let specifiers = disk.entries.get(key);
  if (specifiers === undefined) {
    specifiers = scanImports(text, path);
    disk.entries.set(key, specifiers);
    disk.dirty = true;
  }
  scanCache.set(path, { text, specifiers });
  return specifiers;
}

/** Forget every lexed file (tests; Nx needs no call: a changed file is lexed again). */
export function clearSourceCache() {
  scanCache.clear();
  manifestCache.clear();
}

/**
 * What the scans of earlier Nx invocations found, per file content: a warm `nx` command then lexes nothing and never
 * loads oxc-parser (~50 ms to import, more to parse). The key of each entry is the sha1 of a file's text; the whole
 * cache is valid only for the scanner that wrote it (this module's text and the lexers' versions), so editing the
 * scanning code or upgrading a lexer starts it afresh. `nx reset` deletes it with the rest of Nx's workspace data.
 */
export const SCAN_CACHE_FILE = 'tbpipe-import-scan.json';

/** @type {WeakMap<Workspace, { file: string, entries: Map<string, ImportSpecifier[]>, used: Set<string>, dirty: boolean }>} */
const diskCaches = new WeakMap();

/** This scanner's identity: the module's own text and the versions of the two lexers. */
const SCANNER = (() => {
  const version = (/** @type {string} */ pkg) => {
    try {
      // The lexers' entry files sit in their package folders under node_modules; walk up to the package.json.
      let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
      while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== pkg) {
        if (dirname(dir) === dir) return 'unknown';
        dir = dirname(dir);
      }
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return createHash('sha1')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(`es-module-lexer@${version('es-module-lexer')} oxc-parser@${version('oxc-parser')}`)
    .digest('base64');
})();

/**
 * @param {Workspace} workspace
 */
function diskCacheOf(workspace) {
  let cache = diskCaches.get(workspace);
  if (cache !== undefined) return cache;
  const dataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? join(workspace.root, '.nx', 'workspace-data');
  const file = join(dataDir, SCAN_CACHE_FILE);
  /** @type {Map<string, ImportSpecifier[]>} */
  const entries = new Map();
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    if (json.scanner === SCANNER && json.entries && typeof json.entries === 'object') {
      for (const [key, value] of Object.entries(json.entries)) if (Array.isArray(value)) entries.set(key, value);
    }
  } catch {
    // No cache yet, or one another process was writing: scan.
  }
  cache = { file, entries, used: new Set(), dirty: false };
  diskCaches.set(workspace, cache);
  return cache;
}

/**
 * Write the workspace's scan cache (the entries this invocation used, so it never grows beyond the workspace's
 * files) if it changed; a failure to write only costs the next invocation a scan.
 * @param {Workspace} workspace
 */
export function saveScanCache(workspace) {
  const cache = diskCaches.get(workspace);
  if (cache === undefined || (!cache.dirty && cache.used.size === cache.entries.size)) return;
  const entries = Object.fromEntries([...cache.used].sort().map((key) => [key, cache.entries.get(key)]));
  try {
    mkdirSync(dirname(cache.file), { recursive: true });
    const temp = `${cache.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ scanner: SCANNER, entries }));
    renameSync(temp, cache.file);
  } catch {
    // Read-only workspace data: scan again next time.
  }
}

/** oxc-parser, imported only when a file that may hold `require(…)` / `new URL(…)` is not in the scan cache. */
/** @type {typeof import('oxc-parser').parseSync | null} */
let parseSync = null;
/** es-module-lexer's WebAssembly, compiled only when a file is not in the scan cache. */
let lexerReady = false;

/** @typedef {'lexer' | 'parser'} Scanner */

/** Thrown by a scan that needs a scanner not loaded yet; see {@link withScanners}. */
class ScannerNeeded extends Error {
  /** @param {Scanner} which */
  constructor(which) {
    super(`scanImports: the ${which} is not loaded; await loadScanners() first, or scan through withScanners()`);
    this.which = which;
  }
}

/**
 * Load the scanners (once each): es-module-lexer's WebAssembly and oxc-parser.
 * @param {readonly Scanner[]} [which]
 */
export async function loadScanners(which = ['lexer', 'parser']) {
  if (which.includes('lexer') && !lexerReady) {
    await initLexer();
    lexerReady = true;
  }
  if (which.includes('parser')) parseSync ??= (await import('oxc-parser')).parseSync;
}

/**
 * Run `compute` (which scans sources synchronously); each time a scan needs a scanner that is not loaded, load it and
 * run `compute` again (what earlier attempts scanned is cached, so a retry repeats little; at most two).
 * @template T
 * @param {() => T} compute
 * @returns {Promise<T>}
 */
export async function withScanners(compute) {
  for (;;) {
    try {
      return compute();
    } catch (err) {
      if (!(err instanceof ScannerNeeded)) throw err;
      await loadScanners([err.which]);
    }
  }
}

/** Text that may hold a `require(…)` / `require.resolve(…)` call or a `new URL(…, import.meta.url)`: only such files
 * get the (slower) AST pass. A false hit costs time, never correctness. */
const CALL_HINT = /\brequire(?:\s*\.\s*resolve)?\s*\(\s*['"`]|\bnew\s+URL\s*\([^)]*import\s*\.\s*meta\s*\.\s*url/;

/**
 * The import specifiers of a JavaScript or TypeScript source text, in source order. A text that does not lex yields
 * none (the stage cannot load it, so no cache entry can depend on what it would import).
 * @param {string} source
 * @param {string} [fileName]  decides the dialect for the AST pass by its extension (default TypeScript)
 * @returns {ImportSpecifier[]}
 * @example scanImports("import { a } from './a.ts'; // import b from 'b'") // [{ specifier: './a.ts', kind: 'static' }]
 */
export function scanImports(source, fileName = 'source.ts') {
  if (!lexerReady) throw new ScannerNeeded('lexer');
  /** @type {ReturnType<typeof lexModule>[0]} */
  let records;
  try {
    records = lexModule(source)[0];
  } catch {
    return [];
  }
  /** @type {Array<ImportSpecifier & { at: number }>} */
  const found = [];
  for (const r of records) {
    if (r.type === 'import-meta' || r.specifier === undefined || r.specifier === null) continue;
    if (r.type === 'dynamic') {
      // A template with substitutions comes back as a glob (`./*`): not a file to follow.
      if (r.glob) continue;
      found.push({ specifier: r.specifier, kind: 'dynamic', at: r.start });
      continue;
    }
    // `import x = require('y')` is a TypeScript import that compiles to a require call.
    const kind = r.typeOnly ? 'type' : /=\s*require\s*\(\s*$/.test(source.slice(Math.max(0, r.start - 64), r.start - 1)) ? 'require' : 'static';
    found.push({ specifier: r.specifier, kind, at: r.start });
  }
  if (CALL_HINT.test(source)) {
    if (parseSync === null) throw new ScannerNeeded('parser');
    const { program, errors } = parseSync(fileName, source, { lang: /\.[cm]?jsx?$/.test(fileName) ? 'js' : 'ts', sourceType: 'module' });
    if (errors.length === 0) {
      walk(program, (node) => {
        const spec = callSpecifierOf(node);
        if (spec) found.push({ ...spec, at: node.start });
      });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ specifier, kind }) => ({ specifier, kind }));
}

/**
 * The specifier a `require('x')`, `require.resolve('x')` or `new URL('x', import.meta.url)` node names.
 * @param {any} node  an ESTree / TS-ESTree node from oxc-parser
 * @returns {ImportSpecifier | null}
 */
function callSpecifierOf(node) {
  switch (node.type) {
    case 'CallExpression': {
      const callee = node.callee;
      const isRequire =
        (callee.type === 'Identifier' && callee.name === 'require') ||
        (callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier' && callee.object.name === 'require' && callee.property.name === 'resolve');
      const specifier = isRequire ? literalText(node.arguments[0]) : null;
      return specifier === null ? null : { specifier, kind: 'require' };
    }
    case 'NewExpression': {
      const [first, second] = node.arguments;
      const isUrl =
        node.callee.type === 'Identifier' &&
        node.callee.name === 'URL' &&
        second?.type === 'MemberExpression' &&
        second.object.type === 'MetaProperty' &&
        second.object.meta.name === 'import' &&
        second.property.name === 'url';
      const specifier = isUrl ? literalText(first) : null;
      return specifier === null ? null : { specifier, kind: 'url' };
    }
    default:
      return null;
  }
}

/**
 * A string literal's value, or a template literal's without substitutions; null for anything else.
 * @param {any} node
 * @returns {string | null}
 */
function literalText(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked ?? null;
  return null;
}

/**
 * Visit every node of an AST, parents first.
 * @param {any} node
 * @param {(node: any) => void} visit
 */
function walk(node, visit) {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (typeof node.type === 'string') visit(node);
  for (const key in node) {
    if (key !== 'parent') {
      const value = node[key];
      if (value !== null && typeof value === 'object') walk(value, visit);
    }
  }
}
