import { runCli } from './cli.ts';
import type { Logger } from './logger.ts';
import { describeBounds } from './option-rules.mjs';
import {
  parseOptionFlag,
  resolveStageOptions,
  stageOptionInfo,
  type OptionInfo,
  type StageOptionsSchema,
  type StageOutput,
  type StageSpec,
} from './stage-options.ts';

const GROUPS = [
  ['input', 'inputs'],
  ['output', 'outputs'],
  ['param', 'params (pipeline.json names in camelCase)'],
] as const;

/** `<dir>`, `<path>`, `<n>`, `<x>`, `<name>`, or the option's own `x-placeholder`; nothing for a boolean switch. */
function placeholder(option: OptionInfo): string {
  const { json } = option;
  if (json['x-placeholder']) return json['x-placeholder'];
  if (option.role !== 'param') return '<dir>';
  if (json.format === 'path') return '<path>';
  if (json.enum) return '<name>';
  return { integer: '<n>', number: '<x>', boolean: '', string: '<text>' }[json.type ?? 'string'];
}

/** ` (≥ 0, < 1; default 0.9)`: a number's range and any option's default, or nothing. */
function rangeAndDefault(option: OptionInfo): string {
  const { json } = option;
  const parts = [describeBounds(json).join(', ')];
  if (json['x-default'] !== undefined) parts.push(`default ${json['x-default']}`);
  else if (json.type === 'boolean') parts.push(json.default ? `default on; --no-${option.flag} turns it off` : '');
  else if (json.default !== undefined) parts.push(`default ${json.default}`);
  const text = parts.filter(Boolean).join('; ');
  return text ? ` (${text})` : '';
}

/**
 * The `--help` text of a stage, generated from its spec: the usage line (required flags), the summary, the options
 * grouped as inputs / outputs / params with their descriptions, choices and defaults, then the notes.
 */
export function formatStageHelp(spec: StageSpec): string {
  const options = stageOptionInfo(spec);
  const heads = new Map(options.map((o) => [o, `  --${o.flag}${placeholder(o) ? ` ${placeholder(o)}` : o.json.default === true ? `, --no-${o.flag}` : ''}`]));
  const column = Math.max(...[...heads.values()].map((h) => h.length)) + 2;
  const required = options.filter((o) => o.required).map((o) => `--${o.flag} ${placeholder(o)}`);
  const lines = [`usage: ${spec.bin} ${required.join(' ')} [params]`, '', spec.summary, ''];
  for (const [role, title] of GROUPS) {
    const group = options.filter((o) => o.role === role);
    if (group.length === 0) continue;
    lines.push(title);
    for (const option of group) {
      const head = heads.get(option)!;
      const choices = option.json.enum ? `${option.json.enum.join(' | ')}: ` : '';
      const text = `${choices}${option.json.description ?? ''}${rangeAndDefault(option)}`.split('\n');
      lines.push(`${head.padEnd(column)}${text[0]}`, ...text.slice(1).map((l) => `${' '.repeat(column)}${l}`));
    }
  }
  lines.push(`${'  -h, --help'.padEnd(column)}this text`, '', spec.notes.trimEnd(), '');
  return lines.join('\n');
}

/**
 * A stage's whole bin: flags (kebab-case) from the spec, `--help` from {@link formatStageHelp}, each value checked
 * against the option's schema with a one-line error (`--batch-size is "0", expected an integer ≥ 1; see
 * tbpipe-train --help`, exit 2), defaults applied, then `run` with the options; exit codes as {@link runCli}'s.
 * @example await runStageCli(TRAIN_STAGE, (options, logger) => train({ ...options, logger }));
 */
export function runStageCli<S extends StageOptionsSchema>(
  spec: StageSpec<S>,
  run: (options: StageOutput<S>, logger: Logger) => Promise<unknown>,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const options = stageOptionInfo(spec);
  return runCli(
    {
      name: spec.bin,
      help: formatStageHelp(spec),
      options: Object.fromEntries(
        options.flatMap((o): Array<[string, { type: 'string' | 'boolean' }]> =>
          o.json.type === 'boolean'
            ? [
                [o.flag, { type: 'boolean' }],
                [`no-${o.flag}`, { type: 'boolean' }],
              ]
            : [[o.flag, { type: 'string' }]],
        ),
      ),
      async run({ values }, logger) {
        const parsed: Record<string, unknown> = {};
        for (const option of options) {
          // A boolean is a switch: `--histograms` sets it, `--no-histograms` clears it (what the Nx plugin passes for false).
          const raw = values[`no-${option.flag}`] ? false : values[option.flag];
          if (raw !== undefined) parsed[option.name] = parseOptionFlag(option, raw as string | boolean);
        }
        await run(resolveStageOptions(spec, parsed as never), logger);
      },
    },
    argv,
  );
}
