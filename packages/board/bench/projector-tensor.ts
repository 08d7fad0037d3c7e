/**
 * Projector tensor TSV parsing: our parseTensorTsv against TensorBoard's way (Python: lines split on tabs, float()
 * per field, numpy float32 array, as `_read_tensor_tsv_file` does), interleaved, medians of N runs.
 *
 * npm run bench -- projector-tensor [--rows 70000] [--cols 3] [--runs 5]
 * Needs /usr/bin/python3 with numpy for the peer (skipped with a note otherwise).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTensorTsv } from '../src/routes/projector.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rows = option('rows', 70000);
const cols = option('cols', 3);
const runs = option('runs', 5);

// Seeded values printed as Python prints float32s widened to double (what torch's add_embedding writes).
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const dir = mkdtempSync(join(tmpdir(), 'tbpipe-bench-tsv-'));
const file = join(dir, 'tensors.tsv');
const lines: string[] = [];
for (let r = 0; r < rows; r++) lines.push(Array.from({ length: cols }, () => String(Math.fround(random() * 2 - 1))).join('\t'));
writeFileSync(file, `${lines.join('\n')}\n`);

const PEER = `
import sys, time
import numpy as np
t0 = time.perf_counter()
with open(sys.argv[1], 'r') as f:
    rows = []
    for line in f:
        line = line.rstrip('\\n')
        if line:
            rows.append(list(map(float, line.split('\\t'))))
a = np.array(rows, dtype='float32')
print((time.perf_counter() - t0) * 1000, a.shape[0], a.shape[1])
`;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours: number[] = [];
const peer: number[] = [];
let peerNote = '';
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const t = parseTensorTsv(readFileSync(file, 'utf8'));
  ours.push(performance.now() - t0);
  if (t.rows !== rows || t.cols !== cols) throw new Error(`parsed ${t.rows}x${t.cols}, expected ${rows}x${cols}`);
  const p = spawnSync('/usr/bin/python3', ['-c', PEER, file], { encoding: 'utf8' });
  if (p.status !== 0) {
    peerNote = `peer not run: ${p.stderr.trim().split('\n').pop()}`;
    continue;
  }
  peer.push(Number(p.stdout.trim().split(' ')[0]));
}
rmSync(dir, { recursive: true, force: true });
const mb = (lines.join('\n').length / 1e6).toFixed(1);
console.log(`tensor TSV ${rows} x ${cols} (${mb} MB), ${runs} interleaved runs, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}`);
console.log(`  ours (read + parseTensorTsv):           median ${median(ours).toFixed(0)} ms`);
if (peer.length) console.log(`  TensorBoard's way (Python 3 + numpy):  median ${median(peer).toFixed(0)} ms`);
else console.log(`  ${peerNote}`);
