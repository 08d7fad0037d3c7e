// What the plugin needs to know about the npm workspace: where each package lives, its bin, which workspace packages
// and which npm packages it depends on, and which npm packages the lockfile holds.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describeValue, jsonPath, PipelineError } from './errors.mjs';

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
export function readWorkspace(root) {
  const rootManifest = readJson(root, 'package.json');
  const patterns = Array.isArray(rootManifest.workspaces)
    ? rootManifest.workspaces
    : Array.isArray(rootManifest.workspaces?.packages)
      ? rootManifest.workspaces.packages
      : [];
  /** @type {Map<string, WorkspacePackage>} */
  const packages = new Map();
  for (const dir of expandWorkspacePatterns(root, patterns)) {
    const manifest = readJson(root, `${dir}/package.json`);
    if (typeof manifest.name !== 'string') continue;
    packages.set(manifest.name, {
      name: manifest.name,
      dir,
      bins: normalizeBins(manifest, dir),
      dependencies: [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ],
      tbpipe: isPlainObject(manifest.tbpipe) ? manifest.tbpipe : {},
    });
  }
  return { root, packages, lockedPackages: readLockedPackages(root) };
}

/**
 * The npm (non-workspace) packages a set of workspace packages depends on directly, sorted, keeping only those the
 * lockfile knows (Nx rejects an `externalDependencies` entry it has no node for, e.g. one declared but not installed
 * yet, or every one in a workspace without a lockfile).
 * @param {Workspace} workspace
 * @param {Iterable<WorkspacePackage>} pkgs
 * @param {Iterable<string>} [extra] more names (tools the command itself runs, e.g. `tsx`)
 * @returns {string[]}
 */
export function externalDependencies(workspace, pkgs, extra = []) {
  const names = new Set(extra);
  for (const pkg of pkgs) for (const dep of pkg.dependencies) if (!workspace.packages.has(dep)) names.add(dep);
  return [...names].filter((n) => workspace.lockedPackages.has(n)).sort();
}

/**
 * @param {string} root
 * @param {string[]} patterns
 * @returns {string[]}
 */
function expandWorkspacePatterns(root, patterns) {
  /** @type {string[]} */
  const dirs = [];
  for (const raw of patterns) {
    const pattern = posix.normalize(String(raw)).replace(/\/$/, '');
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const entry of readdirSync(join(root, parent)).sort()) {
        const dir = `${parent}/${entry}`;
        if (existsSync(join(root, dir, 'package.json')) && statSync(join(root, dir)).isDirectory()) dirs.push(dir);
      }
    } else if (!pattern.includes('*')) {
      if (existsSync(join(root, pattern, 'package.json'))) dirs.push(pattern);
    } else {
      throw new PipelineError(
        'WORKSPACE_PATTERN',
        `package.json: workspaces entry ${JSON.stringify(raw)} is not supported by @tbpipe/nx-plugin, expected a directory or "<dir>/*"`,
      );
    }
  }
  return dirs;
}

/**
 * @param {Record<string, any>} manifest
 * @param {string} dir
 * @returns {Record<string, string>}
 */
function normalizeBins(manifest, dir) {
  const bin = manifest.bin;
  /** @type {Record<string, string>} */
  const out = {};
  if (typeof bin === 'string') out[String(manifest.name).replace(/^@[^/]+\//, '')] = posix.join(dir, bin);
  else if (isPlainObject(bin)) {
    for (const [name, path] of Object.entries(bin)) {
      if (typeof path !== 'string') {
        throw new PipelineError(
          'PACKAGE_BIN',
          `${dir}/package.json: ${jsonPath(['bin', name])} is ${describeValue(path)}, expected a path to the bin file`,
        );
      }
      out[name] = posix.join(dir, path);
    }
  }
  return out;
}

/**
 * @param {string} root
 * @returns {Set<string>}
 */
function readLockedPackages(root) {
  if (!existsSync(join(root, 'package-lock.json'))) return new Set();
  const lock = readJson(root, 'package-lock.json');
  const names = new Set();
  for (const key of Object.keys(lock.packages ?? {})) {
    const at = key.lastIndexOf('node_modules/');
    if (at >= 0) names.add(key.slice(at + 'node_modules/'.length));
  }
  return names;
}

/**
 * @param {string} root
 * @param {string} file relative to root
 * @returns {Record<string, any>}
 */
export function readJson(root, file) {
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch (cause) {
    throw new PipelineError('FILE_UNREADABLE', `${file}: cannot be read (${/** @type {Error} */ (cause).message})`, {
      cause,
    });
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PipelineError(
      'FILE_NOT_JSON',
      `${file}: invalid JSON (${/** @type {Error} */ (cause).message}), expected a JSON object`,
      { cause },
    );
  }
  if (!isPlainObject(value)) {
    throw new PipelineError('FILE_NOT_OBJECT', `${file}: the document is ${describeValue(value)}, expected a JSON object`);
  }
  return value;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
export function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
