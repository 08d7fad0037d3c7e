#!/usr/bin/env node
// What a stage's command becomes when a file or folder its pipeline.json names is missing (see ../src/paths.mjs):
// the plugin found it out when Nx built the graph, and reports it when the stage is asked to run, so one pipeline's
// absent data (git-ignored, made by a script) never stops Nx from building every other pipeline's projects.
for (const problem of process.argv.slice(2)) process.stderr.write(`${problem}\n`);
process.exitCode = 1;
