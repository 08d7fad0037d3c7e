#!/usr/bin/env node
// `npm run bench` lists the benchmarks (packages/<pkg>/bench/*.ts, and the workspace-level bench/*.ts such as the
// pipeline report); `npm run bench -- <name> [args…]` runs the one whose path contains <name> (a file named exactly
// <name>.ts wins) through tsx, passing the remaining args. Benchmarks are long and need the real dataset, so nothing
// runs without a name.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** @param {string} dir relative to the root */
function benchFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.startsWith('.') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => `${dir}/${e.name}`);
}

const benches = [
  ...benchFiles('bench'),
  ...readdirSync(join(root, 'packages')).flatMap((pkg) => benchFiles(join('packages', pkg, 'bench'))).sort(),
];

/** The first sentence of a file's leading comment, for the list. @param {string} file */
function summary(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const m = /^\s*(?:\/\*\*?|\/\/)\s*\**\s*([^\n]*)/.exec(text);
  return m ? m[1].replace(/\*\/\s*$/, '').trim() : '';
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined) {
  console.log('benchmarks (run one with `npm run bench -- <name> [args]`):');
  for (const b of benches) console.log(`  ${b}${summary(b) ? `  — ${summary(b)}` : ''}`);
  process.exit(0);
}
const exact = benches.filter((b) => basename(b, '.ts') === name);
const matches = exact.length === 1 ? exact : benches.filter((b) => b.includes(name));
if (matches.length !== 1) {
  console.error(`bench: "${name}" matches ${matches.length === 0 ? 'no benchmark' : matches.join(', ')}, expected exactly one of ${benches.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', matches[0], ...rest], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
