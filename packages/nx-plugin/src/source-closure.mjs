// A stage's source closure: the workspace files its bin actually loads, found by following import specifiers from
// the bin file. These files (plus each involved package's package.json and declared runtime files) are the stage's
// code inputs, so editing a file a stage never loads (another stage's implementation behind a package's narrow
// subpath export) does not touch its cache key.
//
// Specifiers are found by a small lexer that skips comments, strings, template literals and regular expressions, so
// `// import x from 'y'` in a comment or a string counts for nothing. Followed:
//   import … from 'x'; import 'x'; export … from 'x'; import('x'); require('x'); require.resolve('x');
//   new URL('./file', import.meta.url)   (a file read next to the module: followed only when it is a file)
// Not followed: `import type …` / `export type … from` (erased before run time) and non-literal `import(expr)`.
import { readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
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
/** `exports` conditions Node (and tsx) match for an ESM import / a require, in the package's own key order. */
const IMPORT_CONDITIONS = new Set(['node', 'import', 'module-sync', 'default']);
const REQUIRE_CONDITIONS = new Set(['node', 'require', 'module-sync', 'default']);
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
  const closure = sourceClosure(workspace, stagePackage.bin);
  const pkgs = closure.packages.map((name) => /** @type {WorkspacePackage} */ (workspace.packages.get(name)));
  return {
    files: closure.files,
    packages: closure.packages,
    externalDependencies: externalDependencies(workspace, pkgs, [...tools, ...closure.npmPackages]),
  };
}

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
      for (const { specifier, kind } of scanFile(join(workspace.root, file))) {
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
 * `"wasm/cnn.wasm"`; relative to the package, inside it. A plain path must exist.
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
      throw new PipelineError('PACKAGE_TBPIPE', `${where}[${i}] is ${JSON.stringify(item)}, expected a file or glob inside the package such as "wasm/cnn.wasm"`);
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
  return { file: resolveExport(workspace.root, pkg, subpath, kind === 'require' ? REQUIRE_CONDITIONS : IMPORT_CONDITIONS, fail) };
}

/**
 * A workspace package's subpath (`.`, `./predictor`) → the file it names, through package.json `exports` (exact keys,
 * then `*` patterns, longest prefix first; condition objects in their key order; `types` is never a run-time
 * condition). A package without `exports` exposes `main` (or `index.js`) and every file by path.
 * @param {string} root
 * @param {WorkspacePackage} pkg
 * @param {string} subpath
 * @param {Set<string>} conditions
 * @param {(rest: string) => never} fail
 * @returns {string}
 */
function resolveExport(root, pkg, subpath, conditions, fail) {
  const manifestPath = `${pkg.dir}/package.json`;
  const manifest = readManifest(join(root, manifestPath));
  const publicName = (/** @type {string} */ key) => `"${pkg.name}${key === '.' ? '' : key.slice(1)}"`;
  if (manifest.exports === undefined || manifest.exports === null) {
    const target = posix.join(pkg.dir, subpath === '.' ? (typeof manifest.main === 'string' ? manifest.main : 'index.js') : subpath);
    const file = resolveFile(root, target);
    return file ?? fail(`which resolves to no file (${target}; ${manifestPath} has no "exports"), expected a file of ${pkg.name}`);
  }
  const exportsMap = normalizeExports(manifest.exports);
  const keys = Object.keys(exportsMap);
  /** @type {unknown} */
  let target;
  /** @type {string | undefined} */
  let star;
  if (Object.hasOwn(exportsMap, subpath)) target = exportsMap[subpath];
  else {
    const pattern = keys
      .filter((k) => k.includes('*'))
      .sort((a, b) => b.indexOf('*') - a.indexOf('*'))
      .find((k) => {
        const [pre, post] = [k.slice(0, k.indexOf('*')), k.slice(k.indexOf('*') + 1)];
        return subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= pre.length + post.length;
      });
    if (pattern !== undefined) {
      const [pre, post] = [pattern.slice(0, pattern.indexOf('*')), pattern.slice(pattern.indexOf('*') + 1)];
      star = subpath.slice(pre.length, subpath.length - post.length);
      target = exportsMap[pattern];
    }
  }
  const chosen = pickTarget(target, conditions);
  if (chosen === null) {
    const offered = keys.filter((k) => k !== './package.json').map(publicName).join(', ');
    return fail(`which ${manifestPath} "exports" does not define${target === undefined ? '' : ' for an import at run time'}, expected one of ${offered}; import one of those or add the subpath to "exports"`);
  }
  const path = star === undefined ? chosen : chosen.split('*').join(star);
  if (!path.startsWith('./')) return fail(`which ${manifestPath} "exports" maps to ${JSON.stringify(path)}, expected a path starting with "./"`);
  const file = posix.normalize(posix.join(pkg.dir, path));
  if (!isFile(join(root, file))) return fail(`which ${manifestPath} "exports" maps to ${file}, which does not exist, expected an existing file`);
  return file;
}

/**
 * `exports` in its full form: subpath → target.
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
function normalizeExports(value) {
  if (typeof value === 'string' || Array.isArray(value)) return { '.': value };
  const object = /** @type {Record<string, unknown>} */ (value);
  return Object.keys(object).some((k) => k.startsWith('.')) ? object : { '.': object };
}

/**
 * @param {unknown} target  a string, an array of fallbacks, or a conditions object
 * @param {Set<string>} conditions
 * @returns {string | null}
 */
function pickTarget(target, conditions) {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const picked = pickTarget(t, conditions);
      if (picked !== null) return picked;
    }
    return null;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, t] of Object.entries(target)) {
      if (conditions.has(condition)) return pickTarget(t, conditions);
    }
  }
  return null;
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
 * The specifiers of one file, lexed once per distinct content.
 * @param {string} path absolute
 * @returns {ImportSpecifier[]}
 */
function scanFile(path) {
  const text = readFileSync(path, 'utf8');
  const cached = scanCache.get(path);
  if (cached?.text === text) return cached.specifiers;
  const specifiers = scanImports(text);
  scanCache.set(path, { text, specifiers });
  return specifiers;
}

/** Forget every lexed file (tests; Nx needs no call: a changed file is lexed again). */
export function clearSourceCache() {
  scanCache.clear();
  manifestCache.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// The scanner. One sticky regular expression consumes everything that cannot start an import — whitespace,
// punctuation, names other than import / export / require / new, numbers, complete string literals and comments — so
// most of a file is skipped at the regex engine's speed (this runs cold in every nx process, where a tokenizer in
// JavaScript costs several times more before the JIT warms up). It stops at one of those four words, a backtick, a `/`
// that is not a comment (division or a regular expression, decided from what precedes it), an unterminated string or
// comment, and inside a template substitution `${…}` at a brace. At one of the words, a small lexer reads the few
// tokens after it to recognise the statement.

const SKIP_COMMON = String.raw`'(?:[^'\\\n]|\\[^])*'|"(?:[^"\\\n]|\\[^])*"|\/\/[^\n]*|\/\*[^]*?\*\/|(?!(?:import|export|require|new)(?![\w$]))[A-Za-z_$][\w$]*`;
/** What {@link scanImports} skips outside template substitutions. */
const SKIP = new RegExp(String.raw`(?:[^'"\x60/A-Za-z_$]+|${SKIP_COMMON})*`, 'y');
/** The same inside a template substitution, stopping at braces to find its end. */
const SKIP_IN_SUBSTITUTION = new RegExp(String.raw`(?:[^'"\x60/A-Za-z_$\x7b\x7d]+|${SKIP_COMMON})*`, 'y');
const SINGLE_QUOTED = /'(?:[^'\\\n]|\\[^])*'/y;
const DOUBLE_QUOTED = /"(?:[^"\\\n]|\\[^])*"/y;
/** The words that start what {@link statementAt} recognises. */
const WORDS = ['import', 'export', 'require', 'new'];
/** Template text up to and including its closing backtick or the `${` of a substitution (group 1), or to the end. */
const TEMPLATE_TEXT = /(?:[^`\\$]|\\[^]|\$(?!\{))*(`|\$\{)?/y;
/** After these words a `/` starts a regular expression; after any other word (or a number) it divides. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends']);

/**
 * The import specifiers of a JavaScript or TypeScript source text, in order.
 * @param {string} source
 * @returns {ImportSpecifier[]}
 * @example scanImports("import { a } from './a.ts'; // import b from 'b'") // [{ specifier: './a.ts', kind: 'static' }]
 */
export function scanImports(source) {
  /** @type {ImportSpecifier[]} */
  const out = [];
  /** For each open template substitution, the braces open inside it. */
  /** @type {number[]} */
  const open = [];
  let i = source.startsWith('#!') ? lineEnd(source, 0) : 0;
  for (;;) {
    const skip = open.length > 0 ? SKIP_IN_SUBSTITUTION : SKIP;
    skip.lastIndex = i;
    skip.test(source);
    const at = skip.lastIndex;
    if (at >= source.length) break;
    const c = source.charCodeAt(at);
    if (c === 39 /* ' */ || c === 34 /* " */) i = lineEnd(source, at); // unterminated string
    else if (c === 96 /* ` */) {
      const t = templateEnd(source, at + 1);
      i = t.end;
      if (t.substitution) open.push(0);
    } else if (c === 47 /* / */) {
      if (source.charCodeAt(at + 1) === 42 /* * */) i = source.length; // unterminated comment
      else i = regexStartsAt(source, at) ? regexEnd(source, at) : at + 1;
    } else if (c === 123 /* { */) {
      open[open.length - 1]++;
      i = at + 1;
    } else if (c === 125 /* } */) {
      if (open[open.length - 1] > 0) {
        open[open.length - 1]--;
        i = at + 1;
      } else {
        open.pop();
        const t = templateEnd(source, at + 1);
        i = t.end;
        if (t.substitution) open.push(0);
      }
    } else {
      const word = /** @type {string} */ (WORDS.find((w) => source.startsWith(w, at)));
      const before = at > 0 ? source.charCodeAt(at - 1) : 32;
      // not a member (`x.import`, `a?.require`); `…require` (a spread) is the global
      if (before !== 46 /* . */ || source.startsWith('...', at - 3)) {
        const found = statementAt(source, at);
        if (found !== null) out.push(found);
      }
      i = at + word.length;
    }
  }
  return out;
}

/**
 * Recognise the statement or expression starting with import / export / require / new at `at`.
 * @param {string} source
 * @param {number} at
 * @returns {ImportSpecifier | null}
 */
function statementAt(source, at) {
  const tok = tokenReader(source, at);
  const id = (/** @type {number} */ k, /** @type {string} */ v) => tok(k)?.t === 'id' && tok(k)?.v === v;
  const p = (/** @type {number} */ k, /** @type {string} */ v) => tok(k)?.t === 'p' && tok(k)?.v === v;
  const str = (/** @type {number} */ k) => tok(k)?.t === 'str';
  const value = (/** @type {number} */ k) => /** @type {Token} */ (tok(k)).v;
  /** From token `start`, across an import/export clause (names, `,`, `{ … }`, `*`), the index of the string after
   * `from`; -1 when the statement is something else (`export const …`, `import x = require(…)`). */
  const fromClause = (/** @type {number} */ start) => {
    for (let k = start; ; k++) {
      const t = tok(k);
      if (t === undefined) return -1;
      if (t.t === 'id' && t.v === 'from' && str(k + 1)) return k + 1;
      if (t.t === 'p' && t.v === '}') return id(k + 1, 'from') && str(k + 2) ? k + 2 : -1;
      if (t.t === 'id' || (t.t === 'p' && (t.v === ',' || t.v === '{' || t.v === '*')) || (t.t === 'str' && k > start)) continue;
      return -1;
    }
  };
  const word = value(0);
  if (word === 'import') {
    if (p(1, '(')) return str(2) ? { specifier: value(2), kind: 'dynamic' } : null;
    if (p(1, '.')) return null; // import.meta
    if (str(1)) return { specifier: value(1), kind: 'static' };
    const k = fromClause(1);
    if (k < 0) return null;
    // `import type X from`, `import type { … } from`, `import type * as n from` are erased; `import type from 'x'`
    // (a default import named "type") and `import type, { … } from` are not.
    const typeOnly = id(1, 'type') && !(id(2, 'from') && str(3)) && !p(2, ',');
    return { specifier: value(k), kind: typeOnly ? 'type' : 'static' };
  }
  if (word === 'export') {
    if (!(p(1, '*') || p(1, '{') || id(1, 'type'))) return null;
    const k = fromClause(1);
    return k < 0 ? null : { specifier: value(k), kind: id(1, 'type') ? 'type' : 'static' };
  }
  if (word === 'require') {
    if (p(1, '(') && str(2)) return { specifier: value(2), kind: 'require' };
    if (p(1, '.') && id(2, 'resolve') && p(3, '(') && str(4)) return { specifier: value(4), kind: 'require' };
    return null;
  }
  // new URL('<literal>', import.meta.url)
  const url = id(1, 'URL') && p(2, '(') && str(3) && p(4, ',') && id(5, 'import') && p(6, '.') && id(7, 'meta') && p(8, '.') && id(9, 'url');
  return url ? { specifier: value(3), kind: 'url' } : null;
}

/**
 * @typedef {{ t: 'id' | 'str' | 'p', v: string }} Token
 * `id` a word; `str` a string literal or a template literal without substitutions (its value, simple escapes undone);
 * `p` one punctuation character.
 */

/**
 * A lazy lexer from `start`: `tok(k)` is the k-th token, lexed on demand, or undefined past the end of what it can
 * read (the end of the text, a number, a regular expression or a template with substitutions: none of the
 * recognised statements contains one before the specifier).
 * @param {string} src
 * @param {number} start
 * @returns {(k: number) => Token | undefined}
 */
function tokenReader(src, start) {
  /** @type {Token[]} */
  const tokens = [];
  let i = start;
  let done = false;
  const read = () => {
    const n = src.length;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c <= 32 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) i++;
      else if (c === 47 /* / */ && src.charCodeAt(i + 1) === 47) i = lineEnd(src, i);
      else if (c === 47 && src.charCodeAt(i + 1) === 42) {
        const end = src.indexOf('*/', i + 2);
        i = end < 0 ? n : end + 2;
      } else break;
    }
    if (i >= n) return void (done = true);
    const c = src.charCodeAt(i);
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const end = stringEnd(src, i);
      const raw = src.slice(i + 1, src.charCodeAt(end - 1) === c && end - 1 > i ? end - 1 : end);
      tokens.push({ t: 'str', v: raw.includes('\\') ? raw.replace(/\\(.)/g, '$1') : raw });
      i = end;
    } else if (c === 96 /* ` */) {
      const t = templateEnd(src, i + 1);
      const raw = src.slice(i + 1, t.end - 1);
      if (t.substitution || raw.includes('\\')) return void (done = true);
      tokens.push({ t: 'str', v: raw });
      i = t.end;
    } else if (isIdentifierStart(c)) {
      let j = i + 1;
      while (j < n && isIdentifierPart(src.charCodeAt(j))) j++;
      tokens.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else if ((c >= 48 && c <= 57) || c === 47) {
      done = true;
    } else {
      tokens.push({ t: 'p', v: src[i] });
      i++;
    }
  };
  return (k) => {
    while (tokens.length <= k && !done) read();
    return tokens[k];
  };
}

/**
 * @param {string} src
 * @param {number} at  the opening quote
 * @returns {number} after the closing quote, or the end of the line for an unterminated string
 */
function stringEnd(src, at) {
  const re = src.charCodeAt(at) === 39 ? SINGLE_QUOTED : DOUBLE_QUOTED;
  re.lastIndex = at;
  return re.test(src) ? re.lastIndex : lineEnd(src, at);
}

/**
 * Template text from `start` (after a backtick or a substitution's closing brace).
 * @param {string} src
 * @param {number} start
 * @returns {{ end: number, substitution: boolean }}  `end` after the closing backtick, or after `${` when a
 *   substitution opens there
 */
function templateEnd(src, start) {
  TEMPLATE_TEXT.lastIndex = start;
  const m = /** @type {RegExpExecArray} */ (TEMPLATE_TEXT.exec(src));
  return { end: TEMPLATE_TEXT.lastIndex, substitution: m[1] === '${' };
}

/**
 * Whether the `/` at `at` starts a regular expression rather than dividing, from what precedes it: after a word (not
 * one of {@link REGEX_AFTER_WORD}), a number, `)`, `]`, `}` or a string it divides.
 * @param {string} src
 * @param {number} at
 * @returns {boolean}
 */
function regexStartsAt(src, at) {
  let j = at - 1;
  while (j >= 0 && src.charCodeAt(j) <= 32) j--;
  if (j < 0) return true;
  const c = src.charCodeAt(j);
  if (isIdentifierPart(c)) {
    let k = j;
    while (k > 0 && isIdentifierPart(src.charCodeAt(k - 1))) k--;
    return REGEX_AFTER_WORD.has(src.slice(k, j + 1)) && src.charCodeAt(k - 1) !== 46 /* . */;
  }
  return !(c === 41 || c === 93 || c === 125 || c === 39 || c === 34 || c === 96); // ) ] } ' " `
}

/**
 * @param {string} src
 * @param {number} i
 * @returns {number} the index of the next newline (or the end)
 */
function lineEnd(src, i) {
  const end = src.indexOf('\n', i);
  return end < 0 ? src.length : end;
}

/**
 * The end of a regular expression literal starting at `i` (a `/`): after its closing `/` and flags. A newline
 * before the closing `/` means it was not a regex after all; scanning goes on from the next character.
 * @param {string} src
 * @param {number} i
 * @returns {number}
 */
function regexEnd(src, i) {
  let inClass = false;
  for (let j = i + 1; j < src.length; ) {
    const c = src.charCodeAt(j);
    if (c === 10) return i + 1;
    if (c === 92) j += 2;
    else if (c === 91 /* [ */) {
      inClass = true;
      j++;
    } else if (c === 93 /* ] */) {
      inClass = false;
      j++;
    } else if (c === 47 && !inClass) {
      j++;
      while (j < src.length && isIdentifierPart(src.charCodeAt(j))) j++;
      return j;
    } else j++;
  }
  return src.length;
}

/** @param {number} c */
function isIdentifierStart(c) {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
}

/** @param {number} c */
function isIdentifierPart(c) {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}
