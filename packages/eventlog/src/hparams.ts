import { eventlogError } from './errors.ts';
import { BinaryWriter, WireType } from './proto/wire.ts';
import type { SummaryValue } from './proto/messages.ts';

/** A hyperparameter value. `undefined`/`null` entries are skipped, as torch skips `None`. */
export type HparamValue = number | string | boolean | null | undefined;

const LD = WireType.LengthDelimited;
const DATA_TYPE = { STRING: 1, BOOL: 2, FLOAT64: 3 } as const;
const STATUS_SUCCESS = 1;
const PLUGIN = 'hparams';
/** Tags torch writes (tensorboard.plugins.hparams.metadata). */
export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStartInfo: '_hparams_/session_start_info',
  sessionEndInfo: '_hparams_/session_end_info',
} as const;

// google.protobuf.Value: number_value = 2 (double), string_value = 3, bool_value = 4; oneof, so written even if 0/''.
function writeStructValue(w: BinaryWriter, v: number | string | boolean): void {
  if (typeof v === 'number') w.tag(2, WireType.Bit64).double(v);
  else if (typeof v === 'string') w.tag(3, LD).string(v);
  else w.tag(4, WireType.Varint).bool(v);
}

function metadataValue(tag: string, content: Uint8Array): SummaryValue {
  return { tag, metadata: { pluginData: { pluginName: PLUGIN, content } } };
}

/**
 * The three metadata-only summary values of torch's `hparams()`: `_hparams_/experiment` (HParamInfo per hparam,
 * MetricInfo per metric tag), `_hparams_/session_start_info` (the values; map entries in `hparams`' key order —
 * the C++ map order torch gets varies between processes, so no fixed order is "torch's") and
 * `_hparams_/session_end_info` (STATUS_SUCCESS).
 * N.B. torch tests `isinstance(v, int)` before `bool`, so `True` becomes number 1.0; here booleans stay booleans
 * (DATA_TYPE_BOOL), which the HPARAMS tab filters properly.
 */
export function hparamsValues(
  hparams: Record<string, HparamValue>,
  metrics: Record<string, number>,
  domainDiscrete: Record<string, (number | string | boolean)[]> = {},
): { experiment: SummaryValue; sessionStartInfo: SummaryValue; sessionEndInfo: SummaryValue } {
  const entries = Object.entries(hparams).filter((e): e is [string, number | string | boolean] => e[1] !== undefined && e[1] !== null);
  for (const [k, v] of entries) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) {
      throw eventlogError('EVENTLOG_HPARAM_TYPE', `hparam '${k}' of type ${typeof v}`, 'a number, string or boolean', 'convert the value (e.g. String(value))');
    }
  }
  for (const [k, domain] of Object.entries(domainDiscrete)) {
    const v = hparams[k];
    if (v === undefined || v === null || !Array.isArray(domain) || domain.some((d) => typeof d !== typeof v)) {
      throw eventlogError('EVENTLOG_HPARAM_DOMAIN', `domain for '${k}' = ${JSON.stringify(domain)}`, `a list of ${v === undefined || v === null ? 'values for an hparam that is set' : typeof v}s`, 'make every domain value the type of its hparam');
    }
  }

  const start = new BinaryWriter();
  start.tag(3, LD).fork(); // HParamsPluginData.session_start_info
  for (const [k, v] of entries) {
    start.tag(1, LD).fork(); // map entry
    start.tag(1, LD).string(k);
    start.tag(2, LD).fork();
    writeStructValue(start, v);
    start.join();
    start.join();
  }
  start.join();

  const exp = new BinaryWriter();
  exp.tag(2, LD).fork(); // HParamsPluginData.experiment
  for (const [k, v] of entries) {
    exp.tag(4, LD).fork(); // HParamInfo
    exp.tag(1, LD).string(k);
    exp.tag(4, WireType.Varint).int32(typeof v === 'number' ? DATA_TYPE.FLOAT64 : typeof v === 'string' ? DATA_TYPE.STRING : DATA_TYPE.BOOL);
    const domain = domainDiscrete[k];
    if (domain) {
      exp.tag(5, LD).fork(); // ListValue
      for (const d of domain) {
        exp.tag(1, LD).fork();
        writeStructValue(exp, d);
        exp.join();
      }
      exp.join();
    }
    exp.join();
  }
  for (const tag of Object.keys(metrics)) {
    exp.tag(5, LD).fork(); // MetricInfo
    exp.tag(1, LD).fork(); // MetricName
    if (tag) exp.tag(2, LD).string(tag);
    exp.join();
    exp.join();
  }
  exp.join();

  const end = new BinaryWriter();
  end.tag(4, LD).fork().tag(1, WireType.Varint).int32(STATUS_SUCCESS).join();

  return {
    experiment: metadataValue(HPARAMS_TAGS.experiment, exp.finish()),
    sessionStartInfo: metadataValue(HPARAMS_TAGS.sessionStartInfo, start.finish()),
    sessionEndInfo: metadataValue(HPARAMS_TAGS.sessionEndInfo, end.finish()),
  };
}
