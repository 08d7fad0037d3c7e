// A consumer stage given a truncated, edited or incomplete upstream artifact refuses it through the manifest.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { humanLines, listFiles, pipelineDirs, runBin, runStage, stageArgs, type PipelineDirs, type Stage } from './helpers.ts';

/** Flip the bits of one byte in the middle of a file. */
async function editOneByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length >> 1] ^= 0xff;
  await writeFile(path, bytes);
}

interface Case {
  name: string;
  consumer: Stage;
  damage(p: PipelineDirs): Promise<void>;
  /** What the one line must say: the file, and how to rebuild. */
  line(p: PipelineDirs): RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rebuild = (p: PipelineDirs, stage: Stage) => `rerun the stage that writes ${esc(p.out(stage))} \\(or the whole pipeline: npx nx run pipeline:all\\)`;

const CASES: Case[] = [
  {
    name: 'one byte edited in ingest’s train.arrow stops train',
    consumer: 'train',
    damage: (p) => editOneByte(join(p.out('ingest'), 'train.arrow')),
    line: (p) => new RegExp(`^tbpipe-train: contract: ${esc(join(p.out('ingest'), 'train.arrow'))} has sha256 .*, expected .* from its manifest; .*${rebuild(p, 'ingest')}\\.$`),
  },
  {
    name: 'ingest’s manifest declaring another contract id stops train',
    consumer: 'train',
    damage: async (p) => {
      const path = join(p.out('ingest'), 'manifest.json');
      await writeFile(path, (await readFile(path, 'utf8')).replace('"tbpipe.ingest/v2"', '"tbpipe.ingest/v0"'));
    },
    line: (p) => new RegExp(`^tbpipe-train: contract: ${esc(join(p.out('ingest'), 'manifest.json'))} declares "tbpipe.ingest/v0", expected tbpipe.ingest/v2; ${rebuild(p, 'ingest')} with this version of tbpipe\\.$`),
  },
  {
    name: 'one byte edited in ingest’s test.arrow stops evaluate',
    consumer: 'evaluate',
    damage: (p) => editOneByte(join(p.out('ingest'), 'test.arrow')),
    line: (p) => new RegExp(`^tbpipe-evaluate: .*${esc(join(p.out('ingest'), 'test.arrow'))} has sha256 .*${rebuild(p, 'ingest')}`),
  },
  {
    name: 'the model’s weights file deleted stops evaluate',
    consumer: 'evaluate',
    damage: (p) => rm(join(p.out('train'), 'model', 'weights.bin')),
    line: (p) => new RegExp(`^tbpipe-evaluate: .*${esc(join(p.out('train'), 'model', 'weights.bin'))} is missing, expected by ${esc(join(p.out('train'), 'manifest.json'))}; ${rebuild(p, 'train')}`),
  },
  {
    name: 'train’s manifest deleted (a run that never finished) stops evaluate',
    consumer: 'evaluate',
    damage: (p) => rm(join(p.out('train'), 'manifest.json')),
    line: (p) => new RegExp(`^tbpipe-evaluate: evaluate: --model ${esc(p.out('train'))} has no readable manifest.json \\(ENOENT\\), .*; run tbpipe-train first`),
  },
  {
    name: 'predictions.arrow truncated stops project',
    consumer: 'project',
    damage: async (p) => truncate(join(p.out('evaluate'), 'predictions.arrow'), 1000),
    line: (p) => new RegExp(`^tbpipe-project: contract: ${esc(join(p.out('evaluate'), 'predictions.arrow'))} has sha256 .*\\(1000 bytes\\), expected .*; the file was changed or truncated after it was written — ${rebuild(p, 'evaluate')}\\.$`),
  },
];

describe('a consumer stage given a damaged upstream artifact', () => {
  let root: string;
  let reference: PipelineDirs;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-tamper-'));
    reference = pipelineDirs(root, 'reference');
    for (const stage of ['ingest', 'train', 'evaluate'] as const) await runStage(stage, reference);
  });
  after(() => rm(root, { recursive: true, force: true }));

  for (const [k, c] of CASES.entries()) {
    it(`${c.name}: one line naming the file and how to rebuild it, exit 1, nothing written`, async () => {
      const p = pipelineDirs(root, `case-${k}`);
      await cp(join(root, 'artifacts', 'reference'), join(root, 'artifacts', p.name), { recursive: true });
      await rm(p.out(c.consumer), { recursive: true, force: true });
      await c.damage(p);
      const before = await listFiles(join(root, 'artifacts', p.name));

      const r = await runBin(`tbpipe-${c.consumer}`, stageArgs(c.consumer, p));
      assert.equal(r.code, 1, r.stderr);
      const lines = humanLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, c.line(p));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await listFiles(join(root, 'artifacts', p.name)), before, 'the consumer wrote no artifact');
      assert.deepEqual(await listFiles(p.runDir), [], 'the consumer wrote nothing into the run directory');
    });
  }
});
