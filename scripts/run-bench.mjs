#!/usr/bin/env node
// `npm run bench` lists the benchmarks (packages/<pkg>/bench/*.ts); `npm run bench -- <name> [args…]` runs the one
// whose path contains <name> through tsx, passing the remaining args. Benchmarks are long and need the real dataset,
// so nothing runs without a name.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const benches = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => {
    const dir = join('packages', pkg, 'bench');
    if (!existsSync(join(root, dir))) return [];
    return readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && !f.endsWith('.d.ts'))
      .map((f) => `${dir}/${f}`);
  })
  .sort();

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
const matches = benches.filter((b) => b.includes(name));
if (matches.length !== 1) {
  console.error(`bench: "${name}" matches ${matches.length === 0 ? 'no benchmark' : matches.join(', ')}, expected exactly one of ${benches.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', matches[0], ...rest], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
