// Keeping a loaded logdir current: appended records, partial records, replaced and truncated files, corrupt
// records, new and deleted runs, and the reports subscribers get.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SummaryWriter, stableEventFileName } from '@tbpipe/eventlog';
import type { ReloadReport } from '../src/store/provider.ts';
import { appendEvents, EF, fileVersion, openTestLogdir, record, records, scalar, summary, tempLogdir, writeEvents } from './load-helpers.ts';

function quietLog() {
  const warnings: { o: object; m: string }[] = [];
  return { warnings, logger: { info() {}, warn: (o: object, m: string) => warnings.push({ o, m }) } };
}
const series = (s: Awaited<ReturnType<typeof openTestLogdir>>, run = '.', tag = 'loss') => {
  const c = s.readScalars('scalars', 1e9).get(run)?.get(tag);
  return c ? Array.from(c.steps, (st, i) => [st, c.values[i]]) : [];
};

describe('live reloads', () => {
  it('reads only the bytes appended since the last reload and reports the series that grew', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), scalar('loss', 0, 1)]);
    const s = await openTestLogdir(d);
    const reports: ReloadReport[] = [];
    s.subscribe((r) => reports.push(r));
    const added = records([scalar('loss', 1, 2), scalar('loss', 2, 3)]);
    appendFileSync(join(d, EF), added);
    const r = await s.reload();
    assert.equal(r.bytesRead, added.length);
    assert.deepEqual(r.changes, [{ run: '.', plugin: 'scalars', tag: 'loss', lastStep: 2 }]);
    assert.deepEqual(reports, [r]);
    assert.deepEqual(series(s), [[0, 1], [1, 2], [2, 3]]);
    const idle = await s.reload();
    assert.equal(idle.bytesRead, 0);
    assert.equal(reports.length, 1, 'a cycle that changed nothing is not reported');
    await s.close();
  });

  it('keeps the same sample whether a file is read at once or in many appends', async () => {
    const all = Array.from({ length: 5000 }, (_, i) => scalar(i % 2 ? 'loss' : 'acc', i, i / 7));
    const once = tempLogdir();
    writeEvents(join(once, EF), [fileVersion(), ...all]);
    const piecewise = tempLogdir();
    writeEvents(join(piecewise, EF), [fileVersion()]);
    const a = await openTestLogdir(once, { samplesPerPlugin: { scalars: 50 } });
    const b = await openTestLogdir(piecewise, { samplesPerPlugin: { scalars: 50 } });
    const bytes = records(all);
    for (let at = 0; at < bytes.length; at += 9973) {
      appendFileSync(join(piecewise, EF), bytes.subarray(at, at + 9973));
      await b.reload();
    }
    for (const tag of ['loss', 'acc']) assert.deepEqual(series(b, '.', tag), series(a, '.', tag));
    assert.equal(series(a, '.', 'loss').length, 50);
    await a.close();
    await b.close();
  });

  it('follows a SummaryWriter that keeps appending', async () => {
    const d = tempLogdir();
    const w = new SummaryWriter(d, { fileName: stableEventFileName('.train'), filenameSuffix: '.train' });
    w.addScalar('loss', 0.5, 0);
    await w.flush();
    const s = await openTestLogdir(d);
    for (let step = 1; step <= 3; step++) {
      w.addScalar('loss', 0.5 / (step + 1), step);
      await w.flush();
      await s.reload();
      assert.equal(series(s).at(-1)![0], step);
    }
    await w.close();
    assert.equal(series(s).length, 4);
    await s.close();
  });

  it('treats a partial record at the end of a file as not complete yet, then reads it once complete', async () => {
    const d = tempLogdir();
    const path = join(d, EF);
    writeEvents(path, [fileVersion(), scalar('loss', 0, 1)]);
    const next = record(scalar('loss', 1, 2));
    appendFileSync(path, next.subarray(0, 5));
    const { warnings, logger } = quietLog();
    const s = await openTestLogdir(d, { logger });
    assert.deepEqual(series(s), [[0, 1]]);
    appendFileSync(path, next.subarray(5, 20));
    assert.equal((await s.reload()).skippedRecords, 0);
    assert.deepEqual(series(s), [[0, 1]]);
    appendFileSync(path, next.subarray(20));
    const r = await s.reload();
    assert.equal(r.skippedRecords, 0);
    assert.deepEqual(series(s), [[0, 1], [1, 2]]);
    assert.deepEqual(warnings, []);
    await s.close();
  });

  it('skips a corrupt record in the middle of a file, counts it and warns once with file and offset, and reads on', async () => {
    const d = tempLogdir();
    const path = join(d, EF);
    const head = records([fileVersion(), scalar('loss', 0, 1)]);
    const bad = Buffer.from(record(scalar('loss', 1, 2)));
    bad[bad.length - 6] ^= 0xff; // a byte of the Event: the data CRC fails
    const garbage = Buffer.from('not a record at all, just bytes');
    writeFileSync(path, Buffer.concat([head, bad, garbage, records([scalar('loss', 2, 3), scalar('loss', 3, 4)])]));
    const { warnings, logger } = quietLog();
    const s = await openTestLogdir(d, { logger });
    assert.deepEqual(series(s), [[0, 1], [2, 3], [3, 4]]);
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0].o, { run: '.', file: path, offset: head.length, skipped: 2 });
    await s.close();
  });

  it('checks large values (images) kept from a chunk, drops a corrupt one, and keeps their bytes when the buffer is reused', async () => {
    const d = tempLogdir();
    const path = join(d, EF);
    const png = (n: number) => Uint8Array.from({ length: 2000 }, (_, i) => (i * 31 + n) & 0xff);
    const img = (step: number) => summary({ tag: 'img', image: { height: 4, width: 5, colorspace: 3, encodedImageString: png(step) } }, step);
    const bad = Buffer.from(record(img(2)));
    bad[bad.length - 100] ^= 0xff;
    writeFileSync(path, Buffer.concat([records([fileVersion(), img(0), img(1)]), bad, records([img(3)])]));
    const { warnings, logger } = quietLog();
    const s = await openTestLogdir(d, { logger });
    const blobs = () => s.readBlobSequences('images', 100).get('.')!.get('img')!.map((p) => [p.step, Array.from(s.readBlob(p.blobKeys[2])!)]);
    assert.deepEqual(blobs(), [0, 1, 3].map((i) => [i, Array.from(png(i))]));
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0].o as { skipped: number }).skipped, 1);
    appendEvents(path, [img(4), img(5)]);
    await s.reload();
    assert.deepEqual(blobs(), [0, 1, 3, 4, 5].map((i) => [i, Array.from(png(i))]));
    await s.close();
  });

  it('re-reads a replaced file from the start and drops the points it gave before, without duplicates', async () => {
    const d = tempLogdir();
    writeEvents(join(d, 'events.out.tfevents.0.other'), [fileVersion(), scalar('other', 0, 7)]);
    const path = join(d, EF);
    writeEvents(path, [fileVersion(1700000000), ...[0, 1, 2, 3].map((i) => scalar('loss', i, i))]);
    const { logger } = quietLog();
    const s = await openTestLogdir(d, { logger });
    // An Nx cache restore: a file of another run written elsewhere and renamed over ours.
    writeEvents(join(d, 'tmp'), [fileVersion(1600000000), ...[0, 1].map((i) => scalar('loss', i, 10 + i))]);
    renameSync(join(d, 'tmp'), path);
    const r = await s.reload();
    assert.deepEqual(series(s), [[0, 10], [1, 11]]);
    assert.deepEqual(series(s, '.', 'other'), [[0, 7]], 'other files keep their points');
    assert.deepEqual(r.changes.map((c) => [c.tag, c.lastStep]), [['loss', 1]]);
    await s.close();
  });

  it('notices a file rewritten in place with other first bytes, and a truncated file', async () => {
    const d = tempLogdir();
    const path = join(d, EF);
    writeEvents(path, [fileVersion(1700000000), ...[0, 1].map((i) => scalar('loss', i, i))]);
    const { logger } = quietLog();
    const s = await openTestLogdir(d, { logger });
    writeEvents(path, [fileVersion(1700000099), ...[0, 1, 2, 3].map((i) => scalar('loss', i, 20 + i))]);
    await s.reload();
    assert.deepEqual(series(s), [[0, 20], [1, 21], [2, 22], [3, 23]]);
    writeFileSync(path, readFileSync(path).subarray(0, record(fileVersion(1700000099)).length + record(scalar('loss', 0, 20)).length));
    await s.reload();
    assert.deepEqual(series(s), [[0, 20]]);
    await s.close();
  });

  it('adds runs that appear and removes runs whose directory is deleted', async () => {
    const d = tempLogdir();
    mkdirSync(join(d, 'a'));
    writeEvents(join(d, 'a', EF), [fileVersion(), scalar('loss', 0, 1)]);
    const s = await openTestLogdir(d);
    mkdirSync(join(d, 'b'));
    writeEvents(join(d, 'b', EF), [fileVersion(), scalar('loss', 0, 2)]);
    const r1 = await s.reload();
    assert.deepEqual([r1.runsAdded, r1.runsRemoved], [['b'], []]);
    assert.deepEqual(series(s, 'b'), [[0, 2]]);
    rmSync(join(d, 'a'), { recursive: true });
    const r2 = await s.reload();
    assert.deepEqual([r2.runsAdded, r2.runsRemoved], [[], ['a']]);
    assert.deepEqual(s.listRuns().map((r) => r.name), ['b']);
    assert.equal(s.readScalars('scalars', 10).has('a'), false);
    await s.close();
  });

  it('drops the points of an event file that was deleted while its run stays', async () => {
    const d = tempLogdir();
    writeEvents(join(d, 'events.out.tfevents.1'), [fileVersion(), scalar('a', 0, 1)]);
    writeEvents(join(d, 'events.out.tfevents.2'), [fileVersion(), scalar('b', 0, 1)]);
    const s = await openTestLogdir(d);
    rmSync(join(d, 'events.out.tfevents.2'));
    const r = await s.reload();
    assert.deepEqual(r.changes.map((c) => c.tag), ['b']);
    assert.deepEqual(series(s, '.', 'b'), []);
    assert.deepEqual(series(s, '.', 'a'), [[0, 1]]);
    await s.close();
  });

  it('reloads by itself on its timer or a file-system notification', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), scalar('loss', 0, 1)]);
    const s = await openTestLogdir(d, { reloadIntervalSeconds: 0.05 });
    // The store's own timer is unref'd (a server keeps the process alive); this one keeps the test alive and bounds it.
    let guard: NodeJS.Timeout | undefined;
    const seen = new Promise<ReloadReport>((resolve, reject) => {
      guard = setTimeout(() => reject(new Error('no reload within 20 s')), 20_000);
      s.subscribe(resolve);
    });
    appendEvents(join(d, EF), [scalar('loss', 1, 2)]);
    const r = await seen.finally(() => clearTimeout(guard));
    assert.deepEqual(r.changes.map((c) => c.lastStep), [1]);
    await s.close();
  });
});
