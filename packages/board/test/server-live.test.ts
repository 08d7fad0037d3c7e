/**
 * Live updates at the HTTP level, on event files written by our own SummaryWriter: responses and `/api/events`
 * (Server-Sent Events) follow a writer that appends, a file that is replaced, a partial record, a new run.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeEvent, frameRecord, scalarValue, SummaryWriter } from '@tbpipe/eventlog';
import { startBoard, type Board } from '../src/index.ts';

/** Reads an SSE stream into events (`{ event, data }`), ignoring comments. */
class EventStream {
  private buffer = '';
  private queue: { event: string; data: string }[] = [];
  private waiters: (() => void)[] = [];
  ended = false;
  readonly comments: string[] = [];

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await this.reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      this.buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = this.buffer.indexOf('\n\n')) !== -1) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) this.queue.push({ event, data: data.join('\n') });
        this.wake();
      }
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next event matching `pred` (earlier non-matching ones are dropped). */
  async next(pred: (e: { event: string; data: string }) => boolean): Promise<{ event: string; data: string }> {
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i !== -1) return this.queue.splice(0, i + 1)[i];
      if (this.ended) throw new Error('event stream ended');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async untilEnded(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

describe('live updates over HTTP', () => {
  let root: string;
  let board: Board;
  let writer: SummaryWriter;
  const FILE = 'events.out.tfevents.0.test';
  const scalars = async (run: string, tag = 'loss') =>
    (await (await fetch(`${board.url}/data/plugin/scalars/scalars?run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`)).json()) as [number, number, number][];
  const openEvents = async () => {
    const res = await fetch(`${board.url}/api/events`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    return new EventStream((res.body as ReadableStream<Uint8Array>).getReader());
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-board-live-'));
    writer = new SummaryWriter(join(root, 'train'), { fileName: FILE, now: () => 1000 });
    for (let step = 0; step < 3; step++) writer.addScalar('loss', 1 / (step + 1), step, 1000 + step);
    await writer.flush();
    board = await startBoard({ logdir: root, port: 0, reloadIntervalSeconds: 0 });
  });
  after(async () => {
    await writer?.close();
    await board?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves what the writer wrote before the board started', async () => {
    assert.deepEqual(await (await fetch(`${board.url}/data/runs`)).json(), ['train']);
    assert.deepEqual(await scalars('train'), [
      [1000, 0, 1],
      [1001, 1, 0.5],
      [1002, 2, 0.3333333432674408],
    ]);
  });

  it('grows /scalars and sends one SSE message per changed series when the writer appends', async () => {
    const events = await openEvents();
    for (let step = 3; step < 5; step++) writer.addScalar('loss', step, step, 1000 + step);
    writer.addScalar('acc', 0.5, 4, 1004);
    await writer.flush();
    await board.store.reload();
    const loss = JSON.parse((await events.next((e) => e.event === 'message' && e.data.includes('"loss"'))).data);
    assert.deepEqual(loss, { run: 'train', plugin: 'scalars', tag: 'loss', lastStep: 4 });
    const acc = JSON.parse((await events.next((e) => e.event === 'message' && e.data.includes('"acc"'))).data);
    assert.deepEqual(acc, { run: 'train', plugin: 'scalars', tag: 'acc', lastStep: 4 });
    assert.equal((await scalars('train')).length, 5);
    assert.ok(events.comments.includes('connected'));
  });

  it('waits for the rest of a partial record at the end of a growing file', async () => {
    const file = join(root, 'train', FILE);
    const record = frameRecord(encodeEvent({ wallTime: 1005, step: 5, summary: { value: [scalarValue('loss', 5)] } }));
    await appendFile(file, record.subarray(0, 7));
    await board.store.reload();
    assert.equal((await scalars('train')).length, 5, 'half a record is not a point yet');
    await appendFile(file, record.subarray(7));
    await board.store.reload();
    const points = await scalars('train');
    assert.equal(points.length, 6);
    assert.deepEqual(points.at(-1), [1005, 5, 5]);
  });

  it('re-reads a replaced file from the start (a rerun or an Nx cache restore over the same name)', async () => {
    await writer.close();
    writer = new SummaryWriter(join(root, 'train'), { fileName: FILE, now: () => 2000 });
    writer.addScalar('loss', 42, 0, 2000);
    await writer.flush();
    assert.deepEqual(await readdir(join(root, 'train')), [FILE]);
    await board.store.reload();
    assert.deepEqual(await scalars('train'), [[2000, 0, 42]]);
  });

  it('announces a new run on the event stream and lists it in /data/runs', async () => {
    const events = await openEvents();
    const other = new SummaryWriter(join(root, 'eval'), { fileName: FILE, now: () => 3000 });
    other.addScalar('loss', 0.25, 7, 3000);
    await other.close();
    await board.store.reload();
    const runs = JSON.parse((await events.next((e) => e.event === 'runs')).data);
    assert.deepEqual(runs.added, ['eval']);
    assert.ok(((await (await fetch(`${board.url}/data/runs`)).json()) as string[]).includes('eval'));
    assert.deepEqual(await scalars('eval'), [[3000, 7, 0.25]]);
  });

  it('ends open event streams when the board closes', async () => {
    const events = await openEvents();
    await board.close();
    await events.untilEnded();
    assert.equal(events.ended, true);
  });
});
