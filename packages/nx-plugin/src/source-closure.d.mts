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
export function stageSources(workspace: Workspace, stagePackage: {
    name: string;
    bin: string;
}, tools?: Iterable<string>): {
    files: string[];
    packages: string[];
    externalDependencies: string[];
};
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
export function sourceClosure(workspace: Workspace, entry: string): SourceClosure;
/** Forget every lexed file (tests; Nx needs no call: a changed file is lexed again). */
export function clearSourceCache(): void;
/**
 * Write the workspace's scan cache (the entries this invocation used, so it never grows beyond the workspace's
 * files) if it changed; a failure to write only costs the next invocation a scan.
 * @param {Workspace} workspace
 */
export function saveScanCache(workspace: Workspace): void;
/**
 * Load the scanners (once each): es-module-lexer's WebAssembly and oxc-parser.
 * @param {readonly Scanner[]} [which]
 */
export function loadScanners(which?: readonly Scanner[]): Promise<void>;
/**
 * Run `compute` (which scans sources synchronously); each time a scan needs a scanner that is not loaded, load it and
 * run `compute` again (what earlier attempts scanned is cached, so a retry repeats little; at most two).
 * @template T
 * @param {() => T} compute
 * @returns {Promise<T>}
 */
export function withScanners<T>(compute: () => T): Promise<T>;
/**
 * The import specifiers of a JavaScript or TypeScript source text, in source order. A text that does not lex yields
 * none (the stage cannot load it, so no cache entry can depend on what it would import).
 * @param {string} source
 * @param {string} [fileName]  decides the dialect for the AST pass by its extension (default TypeScript)
 * @returns {ImportSpecifier[]}
 * @example scanImports("import { a } from './a.ts'; // import b from 'b'") // [{ specifier: './a.ts', kind: 'static' }]
 */
export function scanImports(source: string, fileName?: string): ImportSpecifier[];
/**
 * What the scans of earlier Nx invocations found, per file content: a warm `nx` command then lexes nothing and never
 * loads oxc-parser (~50 ms to import, more to parse). The key of each entry is the sha1 of a file's text; the whole
 * cache is valid only for the scanner that wrote it (this module's text and the lexers' versions), so editing the
 * scanning code or upgrading a lexer starts it afresh. `nx reset` deletes it with the rest of Nx's workspace data.
 */
export const SCAN_CACHE_FILE: "tbpipe-import-scan.json";
export type Workspace = import("./workspace.mjs").Workspace;
export type WorkspacePackage = import("./workspace.mjs").WorkspacePackage;
/**
 * One specifier found in a source file.
 * - `static`: `import … from` / `import 'x'` / `export … from`
 * - `type`: `import type …` / `export type … from` (erased by TypeScript, never loaded)
 * - `dynamic`: `import('x')` with a string literal
 * - `require`: `require('x')` or `require.resolve('x')`
 * - `url`: `new URL('x', import.meta.url)`
 */
export type ImportSpecifier = {
    specifier: string;
    kind: "static" | "type" | "dynamic" | "require" | "url";
};
export type SourceClosure = {
    /**
     * workspace-relative paths, sorted: every file loaded from the entry, the
     * package.json of every workspace package they belong to and those packages'
     * `tbpipe.runtimeFiles` (files or globs)
     */
    files: string[];
    /**
     * the workspace packages with a file in the closure, sorted
     */
    packages: string[];
    /**
     * non-workspace packages imported by name (builtins aside), sorted
     */
    npmPackages: string[];
};
export type Scanner = "lexer" | "parser";
