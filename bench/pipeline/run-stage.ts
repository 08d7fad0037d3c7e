// Each stage's bin run directly, with exactly the command line the Nx plugin gives its `run` target: the command is
// taken from the plugin's own createNodes hook in the workspace copy, not rebuilt here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureCommand, type Measurement } from './measure-rss.ts';
import type { BenchWorkspace } from './workspace.ts';

export interface StageCommand {
  /** stage name in pipeline.json, e.g. `train` */
  stage: string;
  /** Nx project, e.g. `fashion-mnist-train` */
  project: string;
  /** the shell command of the project's `run` target, run with the workspace root as cwd */
  command: string;
  /** the stage's `--out` directory, relative to the workspace root */
  outDir: string;
  /** the stages it reads (its target's `dependsOn`), by stage name; absent in reports older than the project-pixels split */
  upstream?: string[];
}

export interface StageRun {
  stage: string;
  round: number;
  measurement: Measurement;
  /** the JSON files the stage wrote into `<outDir>/volatile/`, by file name */
  volatile: Record<string, unknown>;
}

/**
 * The stage commands of one pipeline, in dependency order, as the workspace's Nx plugin makes them.
 * @param pipelineFile e.g. `pipelines/fashion-mnist/pipeline.json`
 */
export async function readStageCommands(ws: BenchWorkspace, pipelineFile: string): Promise<StageCommand[]> {
  const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf8'));
  const entry = (nxJson.plugins ?? []).find((p: unknown) => (typeof p === 'string' ? p : (p as { plugin: string }).plugin) === '@tbpipe/nx-plugin');
  if (entry === undefined) throw new Error('nx.json: no @tbpipe/nx-plugin in plugins, expected the pipeline plugin');
  const plugin = await import(pathToFileURL(join(ws.root, 'packages/nx-plugin/src/index.mjs')).href);
  const [, createNodes] = plugin.createNodesV2;
  const results = await createNodes([pipelineFile], typeof entry === 'string' ? {} : entry.options, { workspaceRoot: ws.root });
  const commands: StageCommand[] = [];
  for (const [, { projects }] of results) {
    type Target = { options?: { command?: string }; dependsOn?: Array<{ projects?: string[] }> };
    for (const project of Object.values(projects) as Array<{ name: string; tags: string[]; targets: Record<string, Target> }>) {
      const target = project.targets[plugin.NAMES.stageTarget];
      const command = target?.options?.command;
      if (!project.tags.includes('tbpipe:stage') || command === undefined) continue;
      const out = / --out (\S+)/.exec(command);
      if (!out) throw new Error(`${project.name}: command ${command} has no --out, expected the plugin to pass one`);
      const upstream = (target.dependsOn ?? []).flatMap((d) => d.projects ?? []);
      commands.push({ stage: out[1].split('/').at(-1)!, project: project.name, command, outDir: out[1], upstream });
    }
  }
  // dependsOn names Nx projects; the report speaks of stages.
  const stageOf = new Map(commands.map((c) => [c.project, c.stage]));
  for (const c of commands) c.upstream = c.upstream!.map((p) => stageOf.get(p) ?? p);
  if (commands.length === 0) throw new Error(`${pipelineFile}: the plugin made no stage projects, expected at least one`);
  return commands;
}

/**
 * Run one stage's command in the workspace and measure it; throws, pointing at its logs, if it fails.
 * @example
 * const run = await runStage(ws, commands[0], 1, process.env);
 */
export async function runStage(ws: BenchWorkspace, stage: StageCommand, round: number, env: NodeJS.ProcessEnv): Promise<StageRun> {
  const logPrefix = join(ws.logs, `round${round}-stage-${stage.stage}`);
  const measurement = await measureCommand(['sh', '-c', stage.command], { cwd: ws.root, env, logPrefix });
  if (measurement.exitCode !== 0) {
    const tail = readFileSync(`${logPrefix}.err`, 'utf8').trim().split('\n').slice(-5).join('\n');
    throw new Error(`stage ${stage.stage}: \`${stage.command}\` exited ${measurement.exitCode}, expected 0; stderr ends:\n${tail}`);
  }
  return { stage: stage.stage, round, measurement, volatile: readVolatile(join(ws.root, stage.outDir)) };
}

function readVolatile(outDir: string): Record<string, unknown> {
  const dir = join(outDir, 'volatile');
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]),
  );
}
