// Hand-written messages.ts vs protobuf-es code generated from src/proto/event.proto, side by side in one process:
// encode and decode throughput of a scalar event and a PR-curve event (medians of 7 rounds after a warm-up round).
// Run: node --import tsx packages/eventlog/bench/proto-codecs.bench.ts. Not part of npm test.
import { create, toBinary, fromBinary } from '@bufbuild/protobuf';
import { EventSchema, DataType as PbDataType } from '../test/generated/event_pb.ts';
import { encodeEvent, decodeEvent, decodeEventUnchecked, DataType } from '../src/proto/messages.ts';

const N = 200_000;
const PR_N = 20_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function rate(fn: () => void, n: number): number {
  const rs: number[] = [];
  for (let r = 0; r < 8; r++) { const t = performance.now(); fn(); if (r > 0) rs.push(n / ((performance.now() - t) / 1000)); }
  return median(rs);
}
const pr = new Float32Array(6 * 127).map((_, i) => i / 7);
const handScalar = (i: number) => encodeEvent({ wallTime: 1.7e9 + i, step: i, summary: { value: [{ tag: 'training loss', simpleValue: 1 / (i + 1) }] } });
const pbScalar = (i: number) => toBinary(EventSchema, create(EventSchema, { wallTime: 1.7e9 + i, step: BigInt(i), what: { case: 'summary', value: { value: [{ tag: 'training loss', value: { case: 'simpleValue', value: 1 / (i + 1) } }] } } }));
const handPr = (i: number) => encodeEvent({ wallTime: 1.7e9, step: i, summary: { value: [{ tag: 'pr', tensor: { dtype: DataType.DT_FLOAT, tensorShape: { dim: [{ size: 6 }, { size: 127 }] }, floatVal: pr } }] } });
const pbPr = (i: number) => toBinary(EventSchema, create(EventSchema, { wallTime: 1.7e9, step: BigInt(i), what: { case: 'summary', value: { value: [{ tag: 'pr', value: { case: 'tensor', value: { dtype: PbDataType.DT_FLOAT, tensorShape: { dim: [{ size: 6n }, { size: 127n }] }, floatVal: Array.from(pr) } } }] } } }));
// Same bytes? (the writer's files must stay byte-identical to PyTorch's)
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
console.log('scalar bytes identical:', same(handScalar(5), pbScalar(5)), ' pr bytes identical:', same(handPr(5), pbPr(5)));
const sBytes = handScalar(5);
const pBytes = handPr(5);
const rows = [
  ['encode scalar event', rate(() => { for (let i = 0; i < N; i++) handScalar(i); }, N), rate(() => { for (let i = 0; i < N; i++) pbScalar(i); }, N)],
  ['decode scalar event', rate(() => { for (let i = 0; i < N; i++) decodeEvent(sBytes); }, N), rate(() => { for (let i = 0; i < N; i++) fromBinary(EventSchema, sBytes); }, N)],
  ['encode PR-curve event (6×127)', rate(() => { for (let i = 0; i < PR_N; i++) handPr(i); }, PR_N), rate(() => { for (let i = 0; i < PR_N; i++) pbPr(i); }, PR_N)],
  ['decode PR-curve event (6×127)', rate(() => { for (let i = 0; i < PR_N; i++) decodeEvent(pBytes); }, PR_N), rate(() => { for (let i = 0; i < PR_N; i++) fromBinary(EventSchema, pBytes); }, PR_N)],
  ['decode scalar (unchecked)', rate(() => { for (let i = 0; i < N; i++) decodeEventUnchecked(sBytes); }, N), rate(() => { for (let i = 0; i < N; i++) fromBinary(EventSchema, sBytes); }, N)],
  ['decode PR (unchecked)', rate(() => { for (let i = 0; i < PR_N; i++) decodeEventUnchecked(pBytes); }, PR_N), rate(() => { for (let i = 0; i < PR_N; i++) fromBinary(EventSchema, pBytes); }, PR_N)],
] as const;
for (const [name, hand, gen] of rows) console.log(`${name.padEnd(32)} hand-written ${Math.round(hand).toLocaleString('en-US').padStart(10)}/s   protobuf-es ${Math.round(gen).toLocaleString('en-US').padStart(10)}/s   ratio ${(hand / gen).toFixed(2)}`);
