import type { Field, Schema, Table } from 'apache-arrow';
import { ContractError } from './errors.ts';

/** Schema metadata key holding a contract id such as `fmnist.images/v1`; bump the version on any change. */
export const CONTRACT_KEY = 'tbpipe.contract';

function describeField(f: Field): string {
  return `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`;
}

/**
 * Check that `table` has exactly the fields of `expected` (names, types, nullability, order) and the same contract
 * id. Throws one {@link ContractError} listing every difference, so a consumer learns everything at once.
 * @param source what the table was read from, for the message (a path).
 */
export function expectSchema(table: Table | Schema, expected: Schema, source: string): void {
  const actual: Schema = 'schema' in table ? table.schema : table;
  const problems: string[] = [];
  const wantId = expected.metadata.get(CONTRACT_KEY);
  const gotId = actual.metadata.get(CONTRACT_KEY);
  if (wantId !== undefined && gotId !== wantId) {
    problems.push(`contract ${gotId ?? '(none)'} instead of ${wantId}`);
  }
  const n = Math.max(actual.fields.length, expected.fields.length);
  for (let i = 0; i < n; i++) {
    const a = actual.fields[i];
    const e = expected.fields[i];
    if (!a) problems.push(`missing field ${describeField(e!)}`);
    else if (!e) problems.push(`unexpected field ${describeField(a)}`);
    else if (describeField(a) !== describeField(e)) {
      problems.push(`field ${i} is ${describeField(a)}, expected ${describeField(e)}`);
    }
  }
  if (problems.length > 0) {
    throw new ContractError(
      'SCHEMA_MISMATCH',
      `contract: ${source} does not match ${wantId ?? 'the expected schema'}: ${problems.join('; ')}; ` +
        'rebuild it with the producing stage (or rerun the pipeline).',
    );
  }
}
