// Reading a Hugging Face-layout Parquet file's image bytes and labels: hyparquet (pure JS, what `--source table`
// uses) vs parquet-wasm (Rust's parquet crate in WebAssembly, read to Arrow IPC, then apache-arrow), interleaved,
// medians. parquet-wasm is not a dependency: install it anywhere (`npm install parquet-wasm` in a scratch folder) and
// pass its node entry.
//
//   node --import tsx packages/ingest/bench/parquet-read.ts --file <table.parquet> [--rounds 5]
//       [--parquet-wasm <…/node_modules/parquet-wasm/node/parquet_wasm.cjs>]
//
// Make the file with `npx tsx scripts/make-parquet-table.ts --out /tmp/fashion-mnist.parquet` (70 000 rows).
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { tableFromIPC } from 'apache-arrow';
import { readTableFile } from '../src/sources/table-read.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, rounds: { type: 'string', default: '5' }, 'parquet-wasm': { type: 'string' } } });
if (!values.file) throw new Error('--file <table.parquet> is required');
const bytes = new Uint8Array(await readFile(values.file));

/** hyparquet through ingest's reader: the image structs and labels as JS values. */
async function withHyparquet(): Promise<number> {
  const table = await readTableFile(values.file!);
  const columns = await table.read(['image', 'label']);
  return (columns.get('image') as Array<{ bytes: Uint8Array }>).reduce((s, v) => s + v.bytes.length, 0);
}

type ParquetWasm = { readParquet(b: Uint8Array): { intoIPCStream(): Uint8Array } };
// N.B. parquet-wasm 0.7's node build is CommonJS inside a "type": "module" package: copy parquet_wasm.js to
// parquet_wasm.cjs beside it and pass that.
const loaded = values['parquet-wasm'] ? ((await import(values['parquet-wasm'])) as { default?: ParquetWasm } & ParquetWasm) : undefined;
const wasm: ParquetWasm | undefined = loaded ? (loaded.default ?? loaded) : undefined;

/** parquet-wasm: Parquet → Arrow IPC in wasm, then apache-arrow; the image bytes read from the struct's child. */
async function withParquetWasm(): Promise<number> {
  const table = tableFromIPC(wasm!.readParquet(bytes).intoIPCStream());
  const image = table.getChild('image')!;
  const bytesChild = image.getChild('bytes')!;
  let total = 0;
  for (let i = 0; i < table.numRows; i++) total += (bytesChild.get(i) as Uint8Array).length;
  table.getChild('label')!.toArray();
  return total;
}

const cases: Array<[string, () => Promise<number>]> = [['hyparquet (ingest readTableFile)', withHyparquet]];
if (wasm) cases.push(['parquet-wasm + apache-arrow', withParquetWasm]);
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
console.log(`${values.file}: ${(bytes.length / 1e6).toFixed(1)} MB; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [name, run] of cases) {
    const start = performance.now();
    const total = await run();
    times.get(name)!.push(performance.now() - start);
    if (r === 0) console.log(`${name}: ${total} image bytes`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, ms] of times) console.log(`${name.padEnd(36)} median ${median(ms).toFixed(0).padStart(6)} ms (${ms.map((m) => m.toFixed(0)).join(', ')})`);
console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
