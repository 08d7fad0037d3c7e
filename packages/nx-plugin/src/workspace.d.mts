/**
 * @typedef {object} WorkspacePackage
 * @property {string} name       package name, e.g. `@tbpipe/train`
 * @property {string} dir        its directory relative to the workspace root, forward slashes, e.g. `packages/train`
 * @property {Record<string, string>} bins  bin name → path relative to the workspace root
 * @property {string[]} dependencies  names from `dependencies`, `optionalDependencies` and `peerDependencies`
 * @property {Record<string, unknown>} tbpipe  the package.json `"tbpipe"` block (stage declarations), or `{}`
 */
/**
 * @typedef {object} Workspace
 * @property {string} root
 * @property {Map<string, WorkspacePackage>} packages  by name
 * @property {Set<string>} lockedPackages  npm package names present in package-lock.json (empty without one)
 */
/**
 * Read the root package.json's `workspaces` (plain directories and `dir/*` patterns) and every package in them.
 * @param {string} root absolute workspace root
 * @returns {Workspace}
 */
export function readWorkspace(root: string): Workspace;
/**
 * The npm (non-workspace) packages a set of workspace packages depends on directly, sorted, keeping only those the
 * lockfile knows (Nx rejects an `externalDependencies` entry it has no node for, e.g. one declared but not installed
 * yet, or every one in a workspace without a lockfile).
 * @param {Workspace} workspace
 * @param {Iterable<WorkspacePackage>} pkgs
 * @param {Iterable<string>} [extra] more names (tools the command itself runs, e.g. `tsx`)
 * @returns {string[]}
 */
export function externalDependencies(workspace: Workspace, pkgs: Iterable<WorkspacePackage>, extra?: Iterable<string>): string[];
/**
 * @param {string} root
 * @param {string} file relative to root
 * @returns {Record<string, any>}
 */
export function readJson(root: string, file: string): Record<string, any>;
/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
export function isPlainObject(value: unknown): value is Record<string, any>;
export type WorkspacePackage = {
    /**
     * package name, e.g. `@tbpipe/train`
     */
    name: string;
    /**
     * its directory relative to the workspace root, forward slashes, e.g. `packages/train`
     */
    dir: string;
    /**
     * bin name → path relative to the workspace root
     */
    bins: Record<string, string>;
    /**
     * names from `dependencies`, `optionalDependencies` and `peerDependencies`
     */
    dependencies: string[];
    /**
     * the package.json `"tbpipe"` block (stage declarations), or `{}`
     */
    tbpipe: Record<string, unknown>;
};
export type Workspace = {
    root: string;
    /**
     * by name
     */
    packages: Map<string, WorkspacePackage>;
    /**
     * npm package names present in package-lock.json (empty without one)
     */
    lockedPackages: Set<string>;
};
