/**
 * The hparams plugin's messages: what its summaries store (`plugin_data.proto`, decoded from summary metadata
 * content) and what its routes take and give (`api.proto`, as JSON). Requests are read with protobuf JSON's rules
 * (camelCase or proto names, enums by name or number, unknown fields refused); replies are plain objects in
 * TensorBoard's key order, default values included as its `MessageToJson(..., including_default_value_fields=True)`
 * writes them.
 */
import { BadRequest } from './types.ts';
import { decodeMessage, defineSchema, getMap, getMessage, getRepeated, getString, messageType, WireError, type Message } from './pbtxt.ts';

/** api.proto enums, by value: the name at index n is the enum value n (JSON writes names). */
export const DATA_TYPES = ['DATA_TYPE_UNSET', 'DATA_TYPE_STRING', 'DATA_TYPE_BOOL', 'DATA_TYPE_FLOAT64'] as const;
/** api.proto enum dataset_types, by value. */
export const DATASET_TYPES = ['DATASET_UNKNOWN', 'DATASET_TRAINING', 'DATASET_VALIDATION'] as const;
/** api.proto enum statuses, by value. */
export const STATUSES = ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'] as const;
/** api.proto enum sort_orders, by value. */
export const SORT_ORDERS = ['ORDER_UNSPECIFIED', 'ORDER_ASC', 'ORDER_DESC'] as const;
/** api.proto enum aggregation_types, by value. */
export const AGGREGATION_TYPES = ['AGGREGATION_UNSET', 'AGGREGATION_AVG', 'AGGREGATION_MEDIAN', 'AGGREGATION_MIN', 'AGGREGATION_MAX'] as const;

const enumMap = (names: readonly string[]) => Object.fromEntries(names.map((n, i) => [i, n]));

/** HParamsPluginData and what it embeds (google.protobuf.Value/Struct/ListValue included). */
export const HPARAMS_SCHEMA = defineSchema(
  {
    HParamsPluginData: 'version 1 int32; experiment 2 Experiment |data; session_start_info 3 SessionStartInfo |data; session_end_info 4 SessionEndInfo |data',
    Experiment: 'description 1 string; user 2 string; time_created_secs 3 double; hparam_infos 4 HParamInfo*; metric_infos 5 MetricInfo*; name 6 string',
    HParamInfo:
      'name 1 string; display_name 2 string; description 3 string; type 4 DataType; ' +
      'domain_discrete 5 ListValue |domain; domain_interval 6 Interval |domain; differs 7 bool',
    Interval: 'min_value 1 double; max_value 2 double',
    MetricName: 'group 1 string; tag 2 string',
    MetricInfo: 'name 1 MetricName; display_name 3 string; description 4 string; dataset_type 5 DatasetType',
    SessionStartInfo: 'hparams 1 map<string,Value>; model_uri 2 string; monitor_url 3 string; group_name 4 string; start_time_secs 5 double',
    SessionEndInfo: 'status 1 Status; end_time_secs 2 double',
    Value:
      'null_value 1 NullValue |kind; number_value 2 double |kind; string_value 3 string |kind; bool_value 4 bool |kind; ' +
      'struct_value 5 Struct |kind; list_value 6 ListValue |kind',
    Struct: 'fields 1 map<string,Value>',
    ListValue: 'values 1 Value*',
  },
  {
    DataType: enumMap(DATA_TYPES),
    DatasetType: enumMap(DATASET_TYPES),
    Status: enumMap(STATUSES),
    NullValue: { 0: 'NULL_VALUE' },
  },
);

/** A google.protobuf.Value as its JSON value (number, string, boolean, null, list or object). */
export type HValue = number | string | boolean | null | HValue[] | { [key: string]: HValue };

/** api.proto messages as the routes answer them (camelCase, defaults included as TensorBoard includes them). */
export interface MetricName {
  group: string;
  tag: string;
}
/** api.proto HParamInfo. */
export interface HParamInfo {
  name: string;
  displayName: string;
  description: string;
  type: (typeof DATA_TYPES)[number];
  differs: boolean;
  domainDiscrete?: HValue[];
  domainInterval?: { minValue: number; maxValue: number };
}
/** api.proto MetricInfo. */
export interface MetricInfo {
  name?: MetricName;
  displayName: string;
  description: string;
  datasetType: (typeof DATASET_TYPES)[number];
}
/** api.proto Experiment. */
export interface Experiment {
  name: string;
  description: string;
  user: string;
  timeCreatedSecs: number;
  hparamInfos: HParamInfo[];
  metricInfos: MetricInfo[];
}
/** api.proto MetricValue. */
export interface MetricValue {
  name: MetricName;
  value: number;
  trainingStep: number;
  wallTimeSecs: number;
}
/** api.proto Session. */
export interface Session {
  name: string;
  startTimeSecs: number;
  endTimeSecs: number;
  status: (typeof STATUSES)[number];
  modelUri: string;
  metricValues: MetricValue[];
  monitorUrl: string;
}
/** api.proto SessionGroup. */
export interface SessionGroup {
  name: string;
  hparams: Record<string, HValue>;
  metricValues: MetricValue[];
  sessions: Session[];
  monitorUrl: string;
}
/** plugin_data.proto's SessionStartInfo, decoded (hparams as JSON values). */
export interface SessionStartInfo {
  hparams: Map<string, HValue>;
  modelUri: string;
  monitorUrl: string;
  groupName: string;
  startTimeSecs: number;
}
/** plugin_data.proto's SessionEndInfo, decoded. */
export interface SessionEndInfo {
  status: (typeof STATUSES)[number];
  endTimeSecs: number;
}

const num = (m: Message, field: string): number => {
  const v = m.fields.get(m.type.byName.get(field)?.number ?? -1);
  return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : 0;
};

/** A decoded google.protobuf.Value as its JSON value. */
export function valueToJson(value: Message): HValue {
  for (const field of value.type.fields) {
    const v = value.fields.get(field.number);
    if (v === undefined) continue;
    switch (field.name) {
      case 'null_value':
        return null;
      case 'number_value':
        return v as number;
      case 'string_value':
        return getString(value, 'string_value');
      case 'bool_value':
        return v as boolean;
      case 'struct_value':
        return Object.fromEntries([...getMap(v as Message, 'fields').values()].map((e) => [Buffer.from(e.key as Uint8Array).toString('utf8'), valueToJson(e.value as Message)]));
      case 'list_value':
        return getRepeated<Message>(v as Message, 'values').map(valueToJson);
    }
  }
  return null; // a Value with no kind set; TensorBoard ignores it (no DataType)
}

function metricNameOf(m: Message | undefined): MetricName | undefined {
  return m ? { group: getString(m, 'group'), tag: getString(m, 'tag') } : undefined;
}

/** One of the three kinds of hparams summary content; throws a 400 like TensorBoard's HParamsError. */
function parsePluginData(content: Uint8Array, kind: 'experiment' | 'session_start_info' | 'session_end_info'): Message {
  let data: Message;
  try {
    data = decodeMessage(HPARAMS_SCHEMA, messageType(HPARAMS_SCHEMA, 'HParamsPluginData'), content);
  } catch (err) {
    if (err instanceof WireError) throw new BadRequest(`hparams: summary metadata does not parse (${err.message})`);
    throw err;
  }
  const version = num(data, 'version');
  if (version !== 0) throw new BadRequest(`hparams: only plugin_data version 0 is supported, found ${version}`);
  const inner = getMessage(data, kind);
  if (!inner) throw new BadRequest(`hparams: expected plugin_data.${kind} to be set`);
  return inner;
}

/** `metadata.parse_experiment_plugin_data`. */
export function parseExperiment(content: Uint8Array): Experiment {
  const e = parsePluginData(content, 'experiment');
  return {
    name: getString(e, 'name'),
    description: getString(e, 'description'),
    user: getString(e, 'user'),
    timeCreatedSecs: num(e, 'time_created_secs'),
    hparamInfos: getRepeated<Message>(e, 'hparam_infos').map((h) => {
      const info: HParamInfo = {
        name: getString(h, 'name'),
        displayName: getString(h, 'display_name'),
        description: getString(h, 'description'),
        type: DATA_TYPES[num(h, 'type')] ?? 'DATA_TYPE_UNSET',
        differs: num(h, 'differs') !== 0,
      };
      const discrete = getMessage(h, 'domain_discrete');
      const interval = getMessage(h, 'domain_interval');
      if (discrete) info.domainDiscrete = getRepeated<Message>(discrete, 'values').map(valueToJson);
      if (interval) info.domainInterval = { minValue: num(interval, 'min_value'), maxValue: num(interval, 'max_value') };
      return info;
    }),
    metricInfos: getRepeated<Message>(e, 'metric_infos').map((m) => {
      const info: MetricInfo = {
        displayName: getString(m, 'display_name'),
        description: getString(m, 'description'),
        datasetType: DATASET_TYPES[num(m, 'dataset_type')] ?? 'DATASET_UNKNOWN',
      };
      const name = metricNameOf(getMessage(m, 'name'));
      return name ? { name, ...info } : info;
    }),
  };
}

/** `metadata.parse_session_start_info_plugin_data`. */
export function parseSessionStartInfo(content: Uint8Array): SessionStartInfo {
  const s = parsePluginData(content, 'session_start_info');
  const hparams = new Map<string, HValue>();
  for (const entry of getMap(s, 'hparams').values()) hparams.set(Buffer.from(entry.key as Uint8Array).toString('utf8'), valueToJson(entry.value as Message));
  return {
    hparams,
    modelUri: getString(s, 'model_uri'),
    monitorUrl: getString(s, 'monitor_url'),
    groupName: getString(s, 'group_name'),
    startTimeSecs: num(s, 'start_time_secs'),
  };
}

/** `metadata.parse_session_end_info_plugin_data`. */
export function parseSessionEndInfo(content: Uint8Array): SessionEndInfo {
  const s = parsePluginData(content, 'session_end_info');
  return { status: STATUSES[num(s, 'status')] ?? 'STATUS_UNKNOWN', endTimeSecs: num(s, 'end_time_secs') };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests (protobuf JSON → plain objects keyed by proto field name; absent = not set)

type JsonKind = 'string' | 'bool' | 'int32' | 'double' | 'value' | 'listvalue' | { enum: readonly string[] } | { message: JsonSpec } | { repeated: JsonKind };
type JsonSpec = Record<string, JsonKind>;

const METRIC_NAME: JsonSpec = { group: 'string', tag: 'string' };
const INTERVAL: JsonSpec = { min_value: 'double', max_value: 'double' };
const COL_PARAMS: JsonSpec = {
  metric: { message: METRIC_NAME },
  hparam: 'string',
  order: { enum: SORT_ORDERS },
  missing_values_first: 'bool',
  filter_regexp: 'string',
  filter_interval: { message: INTERVAL },
  filter_discrete: 'listvalue',
  exclude_missing_values: 'bool',
  include_in_result: 'bool',
};
const ONEOFS: string[][] = [
  ['metric', 'hparam'],
  ['filter_regexp', 'filter_interval', 'filter_discrete'],
];

/** GetExperimentRequest. */
export const GET_EXPERIMENT_REQUEST: JsonSpec = { experiment_name: 'string', include_metrics: 'bool', hparams_limit: 'int32' };
/** ListSessionGroupsRequest. */
export const LIST_SESSION_GROUPS_REQUEST: JsonSpec = {
  experiment_name: 'string',
  allowed_statuses: { repeated: { enum: STATUSES } },
  col_params: { repeated: { message: COL_PARAMS } },
  aggregation_type: { enum: AGGREGATION_TYPES },
  aggregation_metric: { message: METRIC_NAME },
  start_index: 'int32',
  slice_size: 'int32',
  include_metrics: 'bool',
};
/** ListMetricEvalsRequest. */
export const LIST_METRIC_EVALS_REQUEST: JsonSpec = { experiment_name: 'string', session_name: 'string', metric_name: { message: METRIC_NAME } };

const camelCase = (name: string) => name.replace(/_([a-z\d])/g, (_, c: string) => c.toUpperCase());

function bad(path: string, seen: unknown, expected: string): never {
  throw new BadRequest(`hparams: request field ${path} is ${JSON.stringify(seen)?.slice(0, 60)}, expected ${expected}`);
}

function readKind(kind: JsonKind, v: unknown, path: string): unknown {
  if (kind === 'string') return typeof v === 'string' ? v : bad(path, v, 'a string');
  if (kind === 'bool') return typeof v === 'boolean' ? v : bad(path, v, 'true or false');
  if (kind === 'int32') {
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) bad(path, v, 'a 32-bit integer');
    return n;
  }
  if (kind === 'double') {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
    return bad(path, v, 'a number');
  }
  if (kind === 'value') return v;
  if (kind === 'listvalue') return Array.isArray(v) ? v : bad(path, v, 'a list');
  if ('enum' in kind) {
    if (typeof v === 'string' && kind.enum.includes(v)) return kind.enum.indexOf(v);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return bad(path, v, `one of ${kind.enum.join(', ')}`);
  }
  if ('message' in kind) return readJsonMessage(v, kind.message, path);
  if (!Array.isArray(v)) return bad(path, v, 'a list');
  return v.map((item, i) => readKind(kind.repeated, item, `${path}[${i}]`));
}

/**
 * Reads protobuf JSON into an object keyed by proto field names, with json_format.Parse's checks: field names in
 * camelCase or as declared, `null` meaning unset, unknown fields and two members of one oneof refused (400).
 */
export function readJsonMessage(json: unknown, spec: JsonSpec, path = 'request'): Record<string, any> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad(path, json, 'a JSON object');
  const byJsonName = new Map<string, string>();
  for (const name of Object.keys(spec)) {
    byJsonName.set(name, name);
    byJsonName.set(camelCase(name), name);
  }
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const name = byJsonName.get(key);
    if (!name) throw new BadRequest(`hparams: ${path} has no field named "${key}"`);
    if (value === null) continue;
    if (name in out) throw new BadRequest(`hparams: ${path}.${key} is given twice`);
    out[name] = readKind(spec[name], value, `${path}.${key}`);
  }
  for (const group of ONEOFS) {
    const set = group.filter((f) => f in out);
    if (set.length > 1 && set.every((f) => f in spec)) throw new BadRequest(`hparams: ${path} sets ${set.join(' and ')}, which are one oneof`);
  }
  return out;
}

/** Parses a request body (POST) or the `request` query parameter (GET) as a JSON object. */
export function parseRequestJson(text: string | null, what: string): unknown {
  if (text === null) throw new BadRequest(`hparams: expected a JSON-formatted ${what}, got nothing`);
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest(`hparams: expected a JSON-formatted ${what}, got ${JSON.stringify(text.slice(0, 60))}`);
  }
}

