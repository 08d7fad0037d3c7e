import { readTable, writeTableAtomic } from '@tbpipe/core';
import { makeData, RecordBatch, Struct, Table } from 'apache-arrow';
import { HistorySchema } from './contract.ts';

/** The logged loss curve: parallel arrays, one entry per `training loss` point. */
export interface LossHistory {
  /** Global steps (0-based index of the mini-batch closing each window). */
  step: number[];
  /** Mean loss of each window, as float32 values (what TensorBoard and `history.arrow` hold). */
  loss: number[];
}

/** Build the `history.arrow` table ({@link HistorySchema}: non-nullable Int32 `step`, Float32 `loss`). */
export function historyToTable(history: LossHistory): Table {
  const length = history.step.length;
  const [stepField, lossField] = HistorySchema.fields;
  const data = makeData({
    type: new Struct(HistorySchema.fields),
    length,
    nullCount: 0,
    children: [
      makeData({ type: stepField!.type, length, nullCount: 0, data: Int32Array.from(history.step) }),
      makeData({ type: lossField!.type, length, nullCount: 0, data: Float32Array.from(history.loss) }),
    ],
  });
  return new Table([new RecordBatch(HistorySchema, data)]);
}

/** Write `history.arrow` atomically. */
export async function writeHistory(path: string, history: LossHistory): Promise<void> {
  await writeTableAtomic(path, historyToTable(history));
}

/** Read a `history.arrow`, checking its schema and contract id at this boundary. */
export async function readHistory(path: string): Promise<{ step: Int32Array; loss: Float32Array }> {
  const table = await readTable(path, HistorySchema);
  return {
    step: Int32Array.from(table.getChild('step')!.toArray() as Int32Array),
    loss: Float32Array.from(table.getChild('loss')!.toArray() as Float32Array),
  };
}
