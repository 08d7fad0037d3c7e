/**
 * TensorBoard's hparams plugin routes (`/data/plugin/hparams/...`): `/experiment`, `/session_groups`,
 * `/metric_evals` and `/download_data`, each taking its request as JSON (POST body, `application/json` or
 * `text/plain` as the two frontends send it, or the `request` query parameter of a GET).
 *
 * The data is TensorBoard 2.20's: the hparams summaries of each run (`_hparams_/experiment`,
 * `_hparams_/session_start_info`, `_hparams_/session_end_info`, as the provider's `hparams` tensors) and the last
 * value of each metric's scalar series. A run with a session start info is a session; sessions group by
 * `group_name` (else their own name). The experiment is the first `_hparams_/experiment` found (runs in name order),
 * else one computed from the sessions' values.
 *
 * One deliberate difference: with an `_hparams_/experiment` summary TensorBoard takes `differs` from it, and torch's
 * `add_hparams` (and our writer) always write false there, one experiment per run; a sweep would then show no
 * differing column. Here `differs` is also true when the sessions' values of the hparam differ.
 */
import { HPARAMS_TAGS, pythonFloatRepr } from '@tbpipe/eventlog';
import type { DataProvider } from '../store/provider.ts';
import { downloadReply, downloadTable } from './hparams-download.ts';
import {
  AGGREGATION_TYPES,
  GET_EXPERIMENT_REQUEST,
  LIST_METRIC_EVALS_REQUEST,
  LIST_SESSION_GROUPS_REQUEST,
  SORT_ORDERS,
  STATUSES,
  parseExperiment,
  parseRequestJson,
  parseSessionEndInfo,
  parseSessionStartInfo,
  readJsonMessage,
  type Experiment,
  type HParamInfo,
  type HValue,
  type MetricInfo,
  type MetricName,
  type MetricValue,
  type Session,
  type SessionEndInfo,
  type SessionGroup,
  type SessionStartInfo,
} from './hparams-protos.ts';
import { comparePython } from './params.ts';
import { downsampleFor } from './sampling.ts';
import { BadRequest, jsonReply, type PluginRoutes, type RouteContext, type RouteReply, type RouteRequest } from './types.ts';

type RunTagContent = Map<string, Map<string, Uint8Array>>;

/** run → tag → plugin content of every `hparams` series, runs in name order. */
function hparamsMetadata(provider: DataProvider): RunTagContent {
  const out: RunTagContent = new Map();
  const listed = provider.listTensors('hparams');
  for (const run of [...listed.keys()].sort(comparePython)) {
    out.set(run, new Map([...(listed.get(run) as Map<string, { pluginContent: Uint8Array }>)].map(([tag, info]) => [tag, info.pluginContent])));
  }
  return out;
}

const emptyExperiment = (): Experiment => ({ name: '', description: '', user: '', timeCreatedSecs: 0, hparamInfos: [], metricInfos: [] });

function valueType(v: HValue | undefined): HParamInfo['type'] | undefined {
  if (typeof v === 'number') return 'DATA_TYPE_FLOAT64';
  if (typeof v === 'string') return 'DATA_TYPE_STRING';
  if (typeof v === 'boolean') return 'DATA_TYPE_BOOL';
  return undefined;
}

/** `json_format.MessageToJson(value)` of a number/string/bool Value, quotes stripped from strings. */
function valueText(v: number | string | boolean): string {
  if (typeof v === 'number') return pythonFloatRepr(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const isSerializable = (v: HValue) => typeof v !== 'number' || Number.isFinite(v);

/** A stable identity of a value for "do these differ" questions (4 and 4.0 are one value, as in Python). */
const valueKey = (v: HValue) => `${typeof v}:${typeof v === 'number' ? String(v) : JSON.stringify(v)}`;

/** `_compute_hparam_info_from_values`: a type that fits every value, a domain, and whether values differ. */
function hparamInfoFromValues(name: string, values: HValue[]): HParamInfo | undefined {
  let type: HParamInfo['type'] = 'DATA_TYPE_UNSET';
  for (const v of values) {
    const t = valueType(v);
    if (!t) continue;
    if (type === 'DATA_TYPE_UNSET') type = t;
    else if (type !== t) type = 'DATA_TYPE_STRING';
    if (type === 'DATA_TYPE_STRING') break;
  }
  if (type === 'DATA_TYPE_UNSET') return undefined;
  const info: HParamInfo = { name, displayName: '', description: '', type, differs: false };
  if (type === 'DATA_TYPE_STRING') {
    const distinct = new Set(values.filter((v): v is number | string | boolean => valueType(v) !== undefined && isSerializable(v)).map(valueText));
    info.domainDiscrete = [...distinct];
    info.differs = distinct.size > 1;
  } else if (type === 'DATA_TYPE_BOOL') {
    const distinct = new Set(values as boolean[]);
    info.domainDiscrete = [...distinct];
    info.differs = distinct.size > 1;
  } else {
    const numbers = (values as number[]).slice().sort((a, b) => a - b);
    if (numbers.length) {
      info.domainInterval = { minValue: numbers[0], maxValue: numbers[numbers.length - 1] };
      info.differs = new Set(numbers).size > 1;
    }
  }
  return info;
}

function sessionStartInfos(metadata: RunTagContent): Map<string, SessionStartInfo> {
  const out = new Map<string, SessionStartInfo>();
  for (const [run, tags] of metadata) {
    const content = tags.get(HPARAMS_TAGS.sessionStartInfo);
    if (content) out.set(run, parseSessionStartInfo(content));
  }
  return out;
}

/** Python's `os.path.dirname` on `/`-separated run names. */
const dirnameOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')).replace(/\/+$/, '') || (p.startsWith('/') ? '/' : '') : '');

/** `_find_longest_parent_path`. */
function longestParent(sessions: Set<string>, path: string): string | undefined {
  let p = path;
  while (!sessions.has(p)) {
    const parent = dirnameOf(p);
    if (!p || parent === p) return undefined;
    p = parent;
  }
  return p;
}

/** `_compute_metric_names`: (tag, group) of every scalar series in or below a session run, sorted. */
function metricNames(provider: DataProvider, sessionRuns: Set<string>): MetricName[] {
  const seen = new Map<string, MetricName>();
  for (const [run, tags] of provider.listScalars('scalars')) {
    const session = longestParent(sessionRuns, run);
    if (session === undefined) continue;
    // os.path.relpath(run, session), with '.' (the session itself) meaning no group unless the run ends in '.'.
    let group = run === session ? '.' : session === '' ? run : run.slice(session.length + 1);
    if (group === '.' && !run.endsWith('.')) group = '';
    for (const tag of tags.keys()) seen.set(`${tag}\0${group}`, { group, tag });
  }
  return [...seen.values()].sort((a, b) => comparePython(a.tag, b.tag) || comparePython(a.group, b.group));
}

/** `_sort_and_reduce_to_hparams_limit`: differing hparams first, then by name; at most `limit` (0: all). */
function sortAndLimit(experiment: Experiment, limit: number | undefined): void {
  const sorted = experiment.hparamInfos.slice().sort((a, b) => Number(!a.differs) - Number(!b.differs) || comparePython(a.name, b.name));
  experiment.hparamInfos = limit ? sorted.slice(0, limit) : sorted;
}

/** `backend_context.experiment_from_metadata` (plus `differs` from the sessions' values, see the module doc). */
export function experimentFromMetadata(provider: DataProvider, includeMetrics: boolean, metadata: RunTagContent, hparamsLimit?: number): Experiment {
  const starts = sessionStartInfos(metadata);
  for (const tags of metadata.values()) {
    const content = tags.get(HPARAMS_TAGS.experiment);
    if (!content) continue;
    const experiment = parseExperiment(content);
    if (!includeMetrics) experiment.metricInfos = [];
    for (const info of experiment.hparamInfos) {
      const distinct = new Set<string>();
      for (const start of starts.values()) {
        const v = start.hparams.get(info.name);
        if (v !== undefined) distinct.add(valueKey(v));
      }
      if (distinct.size > 1) info.differs = true;
    }
    sortAndLimit(experiment, hparamsLimit);
    return experiment;
  }
  const values = new Map<string, HValue[]>();
  for (const start of starts.values()) {
    for (const [name, v] of start.hparams) {
      const list = values.get(name) ?? [];
      list.push(v);
      values.set(name, list);
    }
  }
  const hparamInfos = [...values].map(([name, vs]) => hparamInfoFromValues(name, vs)).filter((i): i is HParamInfo => i !== undefined);
  const metricInfos: MetricInfo[] =
    hparamInfos.length && includeMetrics
      ? metricNames(provider, new Set(starts.keys())).map((name) => ({ name, displayName: '', description: '', datasetType: 'DATASET_UNKNOWN' }))
      : [];
  if (!hparamInfos.length && !metricInfos.length) return emptyExperiment(); // TensorBoard would ask list_hyperparameters; ours has none
  const experiment = { ...emptyExperiment(), hparamInfos, metricInfos };
  sortAndLimit(experiment, hparamsLimit);
  return experiment;
}

/** `metrics.run_tag_from_session_and_metric`: os.path.join(session, group) without a trailing slash. */
function metricRunTag(session: string, metric: MetricName): { run: string; tag: string } {
  let run = metric.group.startsWith('/') ? metric.group : session === '' ? metric.group : session.endsWith('/') ? session + metric.group : `${session}/${metric.group}`;
  if (run.endsWith('/')) run = run.slice(0, -1);
  return { run, tag: metric.tag };
}

/** The newest scalar point of each (run, tag) asked for. */
function readLastScalars(provider: DataProvider, runs: Set<string>, tags: Set<string>): Map<string, Map<string, { step: number; wallTime: number; value: number }>> {
  const out = new Map<string, Map<string, { step: number; wallTime: number; value: number }>>();
  if (runs.size === 0 || tags.size === 0) return out;
  for (const [run, byTag] of provider.readScalars('scalars', 1, { runs: [...runs], tags: [...tags] })) {
    const m = new Map<string, { step: number; wallTime: number; value: number }>();
    for (const [tag, cols] of byTag) {
      const last = cols.steps.length - 1;
      if (last >= 0) m.set(tag, { step: cols.steps[last], wallTime: cols.wallTimes[last], value: cols.values[last] });
    }
    out.set(run, m);
  }
  return out;
}

type Request = Record<string, any>;
type ColParams = Record<string, any>;

const metricOf = (m: { group?: string; tag?: string } | undefined): MetricName => ({ group: m?.group ?? '', tag: m?.tag ?? '' });

function findMetricValue(holder: { metricValues: MetricValue[] }, name: MetricName): MetricValue | undefined {
  return holder.metricValues.find((m) => m.name.tag === name.tag && m.name.group === name.group);
}

function extractorOf(col: ColParams): (g: SessionGroup) => HValue | undefined {
  if ('metric' in col) {
    const name = metricOf(col.metric);
    return (g) => findMetricValue(g, name)?.value;
  }
  if ('hparam' in col) return (g) => (col.hparam in g.hparams ? g.hparams[col.hparam] : undefined);
  throw new BadRequest('hparams: a colParams entry sets neither "metric" nor "hparam"');
}

/** Python's `==` between JSON values (True == 1.0). */
function pythonEquals(a: HValue, b: HValue): boolean {
  const n = (v: HValue) => (typeof v === 'boolean' ? Number(v) : v);
  return JSON.stringify(n(a)) === JSON.stringify(n(b)) && typeof n(a) === typeof n(b);
}

function filterOf(col: ColParams, extract: (g: SessionGroup) => HValue | undefined): ((g: SessionGroup) => boolean) | undefined {
  const includeMissing = !col.exclude_missing_values;
  let test: (v: HValue) => boolean;
  if ('filter_regexp' in col) {
    let re: RegExp;
    try {
      re = new RegExp(col.filter_regexp, 'u');
    } catch {
      throw new BadRequest(`hparams: filterRegexp ${JSON.stringify(col.filter_regexp)} is not a regular expression`);
    }
    test = (v) => {
      if (typeof v !== 'string') throw new BadRequest(`hparams: cannot use a regexp filter for the value ${JSON.stringify(v)}`);
      return re.test(v);
    };
  } else if ('filter_interval' in col) {
    const min = col.filter_interval.min_value ?? 0;
    const max = col.filter_interval.max_value ?? 0;
    test = (v) => {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new BadRequest(`hparams: cannot use an interval filter for the value ${JSON.stringify(v)}`);
      return min <= Number(v) && Number(v) <= max;
    };
  } else if ('filter_discrete' in col) {
    const allowed = col.filter_discrete as HValue[];
    test = (v) => allowed.some((a) => pythonEquals(a, v));
  } else if (includeMissing) {
    return undefined;
  } else {
    test = () => true;
  }
  return (g) => {
    const v = extract(g);
    return v === undefined ? includeMissing : test(v);
  };
}

/** Python's ordering of sort keys: numbers (and bools) numerically, strings by code point. */
function comparePythonValues(a: HValue, b: HValue): number {
  const na = typeof a === 'boolean' ? Number(a) : a;
  const nb = typeof b === 'boolean' ? Number(b) : b;
  if (typeof na === 'number' && typeof nb === 'number') return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof na === 'string' && typeof nb === 'string') return comparePython(na, nb);
  throw new BadRequest(`hparams: cannot sort ${JSON.stringify(a)} against ${JSON.stringify(b)}`);
}

function sortGroups(groups: SessionGroup[], cols: ColParams[], extractors: ((g: SessionGroup) => HValue | undefined)[]): void {
  groups.sort((a, b) => comparePython(a.name, b.name));
  for (let i = cols.length - 1; i >= 0; i--) {
    const order = SORT_ORDERS[cols[i].order ?? 0];
    if (order === 'ORDER_UNSPECIFIED') continue;
    if (order === undefined) throw new BadRequest(`hparams: unknown colParams order ${cols[i].order}`);
    const missingFirst = Boolean(cols[i].missing_values_first);
    const noneIsLargest = order === 'ORDER_ASC' ? !missingFirst : missingFirst;
    const extract = extractors[i];
    const compare = (a: SessionGroup, b: SessionGroup) => {
      const va = extract(a);
      const vb = extract(b);
      // The key is (value is None, value) when None is largest, else (value is not None, value).
      const ka = (va === undefined) === noneIsLargest ? 1 : 0;
      const kb = (vb === undefined) === noneIsLargest ? 1 : 0;
      if (ka !== kb) return ka - kb;
      if (va === undefined || vb === undefined) return 0;
      return comparePythonValues(va, vb);
    };
    // Python's reverse=True keeps equal keys in their order: the same as sorting with the comparison negated.
    groups.sort(order === 'ORDER_ASC' ? compare : (a, b) => -compare(a, b));
  }
}

function averageMetrics(group: SessionGroup): void {
  const stats = new Map<string, { name: MetricName; total: number; count: number; totalStep: number; totalWall: number }>();
  for (const session of group.sessions) {
    for (const m of session.metricValues) {
      const key = `${m.name.group}\0${m.name.tag}`;
      const s = stats.get(key) ?? { name: { group: m.name.group, tag: m.name.tag }, total: 0, count: 0, totalStep: 0, totalWall: 0 };
      s.total += m.value;
      s.count += 1;
      s.totalStep += m.trainingStep;
      s.totalWall += m.wallTimeSecs;
      stats.set(key, s);
    }
  }
  group.metricValues = [...stats.values()].map((s) => ({
    name: s.name,
    value: s.total / s.count,
    trainingStep: Math.floor(s.totalStep / s.count),
    wallTimeSecs: s.totalWall / s.count,
  }));
}

function aggregateMetrics(group: SessionGroup, req: Request): void {
  const type = AGGREGATION_TYPES[req.aggregation_type ?? 0];
  if (type === undefined) throw new BadRequest(`hparams: unknown aggregationType ${req.aggregation_type}`);
  if (type === 'AGGREGATION_UNSET' || type === 'AGGREGATION_AVG') return averageMetrics(group);
  const metric = metricOf(req.aggregation_metric);
  const measured = group.sessions
    .map((s, index) => ({ value: findMetricValue(s, metric)?.value, index }))
    .filter((m): m is { value: number; index: number } => m.value !== undefined);
  let chosen: { index: number } | undefined;
  if (type === 'AGGREGATION_MEDIAN') {
    const sorted = measured.slice().sort((a, b) => a.value - b.value);
    chosen = sorted[Math.floor((sorted.length - 1) / 2)];
  } else {
    for (const m of measured) {
      if (!chosen || (type === 'AGGREGATION_MIN' ? m.value < (chosen as typeof m).value : m.value > (chosen as typeof m).value)) chosen = m;
    }
  }
  group.metricValues = chosen ? group.sessions[chosen.index].metricValues.map((m) => ({ ...m, name: { ...m.name } })) : [];
}

/** Python's `list[start:start + size]`. */
function pySlice<T>(list: T[], start: number, size: number): T[] {
  const norm = (i: number) => (i < 0 ? Math.max(list.length + i, 0) : Math.min(i, list.length));
  return list.slice(norm(start), norm(start + size));
}

/** `list_session_groups.Handler.run` over the hparams summaries. */
export function listSessionGroups(provider: DataProvider, req: Request): { sessionGroups: SessionGroup[]; totalSize: number } {
  const includeMetrics = !('include_metrics' in req) || req.include_metrics === true;
  const metadata = hparamsMetadata(provider);
  const experiment = experimentFromMetadata(provider, includeMetrics, metadata);
  const cols: ColParams[] = req.col_params ?? [];
  const extractors = cols.map(extractorOf);
  const filters = cols.map((c, i) => filterOf(c, extractors[i])).filter((f): f is (g: SessionGroup) => boolean => f !== undefined);

  const starts = sessionStartInfos(metadata);
  const metricRuns = new Set<string>();
  const metricTags = new Set<string>();
  for (const session of starts.keys()) {
    for (const info of experiment.metricInfos) {
      const { run, tag } = metricRunTag(session, metricOf(info.name));
      metricRuns.add(run);
      metricTags.add(tag);
    }
  }
  const lastScalars = includeMetrics ? readLastScalars(provider, metricRuns, metricTags) : new Map();
  const allowed = new Set<string>((req.allowed_statuses ?? []).map((s: number) => STATUSES[s]));
  const groups = new Map<string, SessionGroup>();
  for (const [name, start] of starts) {
    const endContent = metadata.get(name)?.get(HPARAMS_TAGS.sessionEndInfo);
    const end: SessionEndInfo | undefined = endContent ? parseSessionEndInfo(endContent) : undefined;
    const metricValues: MetricValue[] = [];
    for (const info of experiment.metricInfos) {
      const metric = metricOf(info.name);
      const { run, tag } = metricRunTag(name, metric);
      const datum = lastScalars.get(run)?.get(tag);
      if (datum) metricValues.push({ name: metric, value: datum.value, trainingStep: datum.step, wallTimeSecs: datum.wallTime });
    }
    const session: Session = {
      name,
      startTimeSecs: start.startTimeSecs,
      endTimeSecs: end?.endTimeSecs ?? 0,
      status: end?.status ?? 'STATUS_UNKNOWN',
      modelUri: start.modelUri,
      metricValues,
      monitorUrl: start.monitorUrl,
    };
    if (!allowed.has(session.status)) continue;
    const groupName = start.groupName || name;
    const existing = groups.get(groupName);
    if (existing) {
      existing.sessions.push(session);
      continue;
    }
    const hparams: Record<string, HValue> = {};
    for (const [k, v] of start.hparams) if (isSerializable(v)) hparams[k] = v;
    groups.set(groupName, { name: groupName, hparams, metricValues: [], sessions: [session], monitorUrl: start.monitorUrl });
  }
  let list = [...groups.values()];
  for (const group of list) {
    group.sessions.sort((a, b) => comparePython(a.name, b.name));
    aggregateMetrics(group, req);
  }
  list = list.filter((g) => filters.every((f) => f(g)));
  sortGroups(list, cols, extractors);
  if (cols.some((c) => 'include_in_result' in c)) {
    const include = new Set(cols.filter((c) => c.include_in_result !== false && 'hparam' in c).map((c) => c.hparam as string));
    for (const g of list) g.hparams = Object.fromEntries(Object.entries(g.hparams).filter(([k]) => include.has(k)));
  }
  return { sessionGroups: pySlice(list, req.start_index ?? 0, req.slice_size ?? 0), totalSize: list.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

const decoder = new TextDecoder();

/** The request JSON: the POST body (any content type), or the `request` query parameter of a GET. */
function requestJson(req: RouteRequest): unknown {
  return parseRequestJson(req.method === 'POST' ? decoder.decode(req.body) : req.query.get('request'), 'request');
}

function experimentRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  const r = readJsonMessage(requestJson(req), GET_EXPERIMENT_REQUEST);
  const includeMetrics = !('include_metrics' in r) || r.include_metrics === true;
  return jsonReply(experimentFromMetadata(ctx.provider, includeMetrics, hparamsMetadata(ctx.provider), r.hparams_limit));
}

function sessionGroupsRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  return jsonReply(listSessionGroups(ctx.provider, readJsonMessage(requestJson(req), LIST_SESSION_GROUPS_REQUEST)));
}

function metricEvalsRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  const r = readJsonMessage(requestJson(req), LIST_METRIC_EVALS_REQUEST);
  const { run, tag } = metricRunTag(r.session_name ?? '', metricOf(r.metric_name));
  const cols = ctx.provider.readScalars('scalars', downsampleFor(ctx, 'scalars', 1000), { runs: [run], tags: [tag] }).get(run)?.get(tag);
  if (!cols) throw new BadRequest(`No scalar data for run=${JSON.stringify(run)}, tag=${JSON.stringify(tag)}`, 404);
  return jsonReply(Array.from(cols.steps, (step, i) => [cols.wallTimes[i], step, cols.values[i]]));
}

function downloadDataRoute(req: RouteRequest, ctx: RouteContext): RouteReply {
  const format = req.query.get('format');
  const visibility = parseRequestJson(req.query.get('columnsVisibility'), 'columnsVisibility');
  if (!Array.isArray(visibility)) throw new BadRequest('hparams: columnsVisibility must be a JSON list of booleans');
  const r = readJsonMessage(requestJson(req), LIST_SESSION_GROUPS_REQUEST);
  const groups = listSessionGroups(ctx.provider, r);
  const includeMetrics = !('include_metrics' in r) || r.include_metrics === true;
  const experiment = experimentFromMetadata(ctx.provider, includeMetrics, hparamsMetadata(ctx.provider));
  return downloadReply(format, downloadTable(experiment, groups.sessionGroups, visibility));
}

/** The hparams plugin's routes. */
export const hparamsRoutes: PluginRoutes = {
  plugin: 'hparams',
  routes: {
    '/experiment': experimentRoute,
    '/session_groups': sessionGroupsRoute,
    '/metric_evals': metricEvalsRoute,
    '/download_data': downloadDataRoute,
  },
};
