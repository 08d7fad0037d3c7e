/**
 * Finding a network: a built-in name (`packages/train/networks/<name>.json`), a path to a JSON file, or an inline
 * spec object (pipeline.json's `"network": { "layers": [...] }`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NetworkError } from './errors.ts';
import { parseNetworkSpec } from './schema.ts';
import type { NetworkSpec } from './spec.ts';

/** Names of the built-in networks (files in `packages/train/networks/`). */
export const BUILTIN_NETWORKS = ['tutorial', 'wide', 'lenet5-rgb', 'mlp', 'batchnorm'] as const;
export type BuiltinNetwork = (typeof BUILTIN_NETWORKS)[number];

/** The default network: the tutorial's Net. */
export const DEFAULT_NETWORK: BuiltinNetwork = 'tutorial';

const builtinUrl = (name: string) => new URL(`../../networks/${name}.json`, import.meta.url);

/** A spec and where it came from (`tutorial`, a file path, or `inline`). */
export interface LoadedNetwork {
  source: string;
  spec: NetworkSpec;
}

/** The built-in spec `name`, parsed. */
export function builtinNetwork(name: BuiltinNetwork): NetworkSpec {
  return parseNetworkSpec(JSON.parse(readFileSync(builtinUrl(name), 'utf8')));
}

/**
 * Resolve `--network`: a built-in name, a JSON file (relative to `baseDir`, default the working directory), an
 * inline spec object, or its JSON text (starting with `{`). Fails with one line when it is none of these or the JSON is not a valid spec.
 * @example loadNetwork('wide').spec.layers.length // 11
 */
export function loadNetwork(ref: string | NetworkSpec | Record<string, unknown>, baseDir = process.cwd()): LoadedNetwork {
  if (typeof ref !== 'string') return { source: 'inline', spec: parseNetworkSpec(ref) };
  if (/^\s*\{/.test(ref)) {
    // pipeline.json's inline object reaches the CLI as JSON text.
    let json: unknown;
    try {
      json = JSON.parse(ref);
    } catch (err) {
      throw new NetworkError(`network: inline JSON does not parse (${(err as Error).message.split('\n')[0]}), expected a JSON layer list; fix --network`);
    }
    return { source: 'inline', spec: parseNetworkSpec(json) };
  }
  if ((BUILTIN_NETWORKS as readonly string[]).includes(ref)) return { source: ref, spec: builtinNetwork(ref as BuiltinNetwork) };
  const path = resolve(baseDir, ref);
  if (!existsSync(path)) {
    throw new NetworkError(
      `network: '${ref}' is neither a built-in nor an existing file, expected ${BUILTIN_NETWORKS.join(' | ')} or a path to a JSON layer list; check --network`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new NetworkError(`network: ${ref} is not JSON (${(err as Error).message.split('\n')[0]}), expected a JSON layer list; fix the file`);
  }
  return { source: ref, spec: parseNetworkSpec(json) };
}
