import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GOLDEN, tempDir } from './helpers.ts';

const BIN = new URL('../bin/tbpipe-events.mjs', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('tbpipe-events', () => {
  it('dump prints one JSON line per value with wall_time, step, tag, plugin and a value summary', () => {
    const r = run('dump', join(GOLDEN, 'scalars', 'events.out.tfevents.golden'));
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows[0], { wall_time: 1700000000, step: 0, what: 'file_version', value: 'brain.Event:2', writer: 'tensorboard.summary.writer.event_file_writer' });
    assert.deepEqual(rows[6], { wall_time: 1700000005.5, step: 5, tag: 'training loss', plugin: 'scalars', value: 'NaN' });
    assert.deepEqual(rows[8], { wall_time: 1700000007.5, step: 7, tag: 'scalar/new_style', plugin: 'scalars', value: 0.852400004863739 });
  });

  it('dump of a directory adds the file, relative to it, to each line', () => {
    const r = run('dump', join(GOLDEN, 'hparams'));
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual([...new Set(rows.map((x) => x.file))], ['1700000000.0/events.out.tfevents.golden', 'events.out.tfevents.golden']);
  });

  it('tags lists runs, tags, counts and step ranges', () => {
    const r = run('tags', join(GOLDEN, 'scalars'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'run .: 11 events in 1 file(s)',
        '  scalars:',
        '    training loss: 7 point(s), steps 0–6',
        '    scalar/double_only: 1 point(s), step 9',
        '  tensors:',
        '    scalar/new_style [scalars]: 1 point(s), step 7',
        '    scalar/new_style_double [scalars]: 1 point(s), step 8',
        '',
      ].join('\n'),
    );
  });

  it('fails with one line and exit 1 on a corrupt file, and reads it with --lenient', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.out.tfevents.bad');
    const golden = readFileSync(join(GOLDEN, 'framing', 'events.out.tfevents.golden'));
    golden[100] ^= 0xff;
    writeFileSync(path, golden);
    const r = run('dump', path);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^tbpipe-events: eventlog: .*record at byte 88 has data CRC/);
    const lenient = run('dump', '--lenient', path);
    assert.equal(lenient.status, 0);
    assert.equal(lenient.stdout.trim().split('\n').length, 1);
  });

  it('exits 2 with a hint on usage errors and prints help with --help', () => {
    const r = run('frob', 'x');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "tbpipe-events: unknown command 'frob', expected dump or tags; see tbpipe-events --help\n");
    assert.equal(run().status, 2);
    const help = run('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /tbpipe-events dump <file\|dir>/);
  });
});
