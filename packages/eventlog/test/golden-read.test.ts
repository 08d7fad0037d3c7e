import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crc32c, maskCrc, readAllEvents, readEvents, type ReadWarning } from '../src/index.ts';
import { GOLDEN, expectEventMatches, hex, loadCase, type Json } from './helpers.ts';

const index = JSON.parse(readFileSync(join(GOLDEN, 'index.json'), 'utf8'));
const casesWithEvents = index.cases.filter((c: Json) => c.case !== 'graph_reference').map((c: Json) => c.case as string);

describe('reading PyTorch 1.13.1 golden event files', () => {
  for (const name of casesWithEvents) {
    const c = loadCase(name);
    for (const file of c.event_files) {
      it(`decodes every record of ${name}/${file.file} as case.json describes it`, async () => {
        const path = join(GOLDEN, name, file.file);
        const warnings: ReadWarning[] = [];
        const records = [];
        for await (const r of readEvents(path, { onWarning: (w) => warnings.push(w) })) records.push(r);
        assert.deepEqual(warnings, []);
        assert.equal(records.length, file.n_records);
        records.forEach((r, i) => {
          assert.equal(r.offset, file.records[i].offset, `record ${i} offset`);
          expectEventMatches(r.event, file.events[i], `${name}/${file.file} event ${i}`);
        });
      });

      it(`finds the recorded lengths and masked CRCs in ${name}/${file.file}`, () => {
        const bytes = readFileSync(join(GOLDEN, name, file.file));
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        assert.equal(bytes.length, file.size);
        for (const rec of file.records) {
          assert.equal(view.getUint32(rec.offset, true), rec.length);
          assert.equal(view.getUint32(rec.offset + 8, true), rec.length_masked_crc32c);
          assert.equal(maskCrc(crc32c(bytes.subarray(rec.offset, rec.offset + 8))), rec.length_masked_crc32c);
          const data = bytes.subarray(rec.offset + 12, rec.offset + 12 + rec.length);
          assert.equal(hex(data), rec.event_hex);
          assert.equal(view.getUint32(rec.offset + 12 + rec.length, true), rec.data_masked_crc32c);
        }
      });
    }
  }

  it('reads the scalars file into plain events with NaN and Infinity intact', async () => {
    const events = await readAllEvents(join(GOLDEN, 'scalars', 'events.out.tfevents.golden'));
    const values = events.slice(1, 8).map((e) => e.summary!.value[0].simpleValue);
    assert.deepEqual(values.slice(5), [NaN, Infinity]);
  });
});
