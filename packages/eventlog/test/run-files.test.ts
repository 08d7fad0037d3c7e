import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeRunFiles, stableEventFileName } from '../src/index.ts';
import { tempDir } from './helpers.ts';

test("removeRunFiles deletes one writer's event files, owned entries and their write debris, and nothing else", async (t) => {
  const dir = tempDir(t);
  const files = [
    stableEventFileName('.evaluate'),
    'events.out.tfevents.1700000000.host.42.0.evaluate', // an earlier, time-stamped name
    stableEventFileName('.train'),
    `.${stableEventFileName('.evaluate')}.tmp-abc123`,
    '.projector_config.pbtxt.tmp-1',
    'projector_config.pbtxt',
    'notes.evaluate',
  ];
  for (const f of files) writeFileSync(join(dir, f), 'x');
  mkdirSync(join(dir, 'hparams'));
  writeFileSync(join(dir, 'hparams', stableEventFileName('.evaluate')), 'x');

  const removed = await removeRunFiles(dir, { suffix: '.evaluate', names: ['hparams'] });
  assert.deepEqual(removed, [
    `.${stableEventFileName('.evaluate')}.tmp-abc123`,
    'events.out.tfevents.0000000000.tbpipe.0.0.evaluate',
    'events.out.tfevents.1700000000.host.42.0.evaluate',
    'hparams',
  ]);
  assert.deepEqual(readdirSync(dir).sort(), ['.projector_config.pbtxt.tmp-1', stableEventFileName('.train'), 'notes.evaluate', 'projector_config.pbtxt'].sort());

  assert.deepEqual(await removeRunFiles(dir, { suffix: '.project', names: ['projector_config.pbtxt'] }), [
    '.projector_config.pbtxt.tmp-1',
    'projector_config.pbtxt',
  ]);
});

test('removeRunFiles treats a missing run directory as empty', async (t) => {
  assert.deepEqual(await removeRunFiles(join(tempDir(t), 'none'), { suffix: '.train' }), []);
});
