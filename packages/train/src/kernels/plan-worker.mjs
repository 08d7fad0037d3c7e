// Worker-thread entry of plan-split.ts: runs, on request, the gradient program of its half of a batch with its own
// plan.wasm instance on the shared memory the main thread laid the program out in. Plain JavaScript importing nothing
// but node:worker_threads, so the thread is ready in milliseconds (no tsx). The request/answer words are plan-split.ts's
// CONTROL layout (kept equal by hand; the split tests exercise every word).
import { workerData } from 'node:worker_threads';

const REQ = 0; // request sequence number, bumped by the main thread
const DONE = 1; // last answered sequence number; GONE when this thread ends
const CMD = 2; // RUN or STOP
const PROG = 3;
const LABELS = 4;
const STEP = 5;
const STATUS = 6; // 0 ok, 1 failed (message in the text area)
const TEXT_LEN = 7;
const GONE = -1;
const RUN = 0;
const STOP = 1;

const { memory, module, control } = workerData;
const ctl = new Int32Array(control);
const loss = new Float64Array(control, 64, 1);
const text = new Uint8Array(control, 128);

function answer(seq, failure) {
  if (failure !== undefined) {
    const bytes = new TextEncoder().encode(String(failure).slice(0, 1000));
    text.set(bytes.subarray(0, text.length));
    ctl[TEXT_LEN] = Math.min(bytes.length, text.length);
    ctl[STATUS] = 1;
  } else ctl[STATUS] = 0;
  Atomics.store(ctl, DONE, seq);
  Atomics.notify(ctl, DONE);
}

// Whatever ends this thread, a main thread waiting for an answer is woken and told.
process.on('exit', () => {
  Atomics.store(ctl, DONE, GONE);
  Atomics.notify(ctl, DONE);
});

let seen = 0;
try {
  const { run } = new WebAssembly.Instance(module, { env: { memory, exp: Math.exp, log: Math.log } }).exports;
  for (;;) {
    Atomics.wait(ctl, REQ, seen);
    const seq = Atomics.load(ctl, REQ);
    if (seq === seen) continue;
    seen = seq;
    if (ctl[CMD] === STOP) break;
    if (ctl[CMD] !== RUN) {
      answer(seq, `unknown command ${ctl[CMD]}`);
      continue;
    }
    try {
      loss[0] = run(ctl[PROG], ctl[LABELS], 0n, ctl[STEP]);
      answer(seq);
    } catch (err) {
      answer(seq, `${err?.name ?? 'Error'}: ${err?.message ?? err}`);
    }
  }
} catch (err) {
  answer(seen + 1, `${err?.name ?? 'Error'}: ${err?.message ?? err}`);
}
