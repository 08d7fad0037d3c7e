import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBoard, type Board } from '../src/index.ts';
import { FakeStore } from './helpers/fake-store.ts';

/** An SSE response read incrementally: `until(pred)` reads until `pred` holds for everything read so far. */
function stream(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async until(pred: (text: string) => boolean): Promise<string> {
      while (!pred(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`stream ended before the expected text; got ${JSON.stringify(text)}`);
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    cancel: () => reader.cancel(),
  };
}

describe('/api/events (Server-Sent Events)', () => {
  let board: Board;
  const store = new FakeStore('/logdir');

  before(async () => {
    store.addScalar('train', 'loss', 0, 1, 0.5);
    await store.reload();
    board = await startBoard({ logdir: '/tmp', port: 0, store, heartbeatMillis: 20 });
  });
  after(async () => {
    await board.close();
  });

  it('opens with a retry hint and a comment, then sends heartbeat comments', async () => {
    const res = await fetch(`${board.url}/api/events`);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const events = stream(res);
    const text = await events.until((t) => t.includes(': heartbeat\n\n'));
    assert.ok(text.startsWith('retry: 3000\n: connected\n\n'), text);
    await events.cancel();
  });

  it('sends one message per changed series and a runs event for new runs, in the order of the reload report', async () => {
    const res = await fetch(`${board.url}/experiment/defaultExperimentId/api/events`);
    const events = stream(res);
    await events.until((t) => t.includes(': connected'));
    store.addScalar('train', 'loss', 1, 2, 0.4).addScalar('eval', 'acc', 1, 2, 0.9);
    await store.reload();
    const text = await events.until((t) => t.includes('"tag":"acc"'));
    await events.cancel();
    assert.deepEqual(text.split('\n\n').filter((block) => block.includes('data: ')), [
      'event: runs\ndata: {"added":["eval"],"removed":[]}',
      'data: {"run":"train","plugin":"scalars","tag":"loss","lastStep":1}',
      'data: {"run":"eval","plugin":"scalars","tag":"acc","lastStep":1}',
    ]);
  });
});
