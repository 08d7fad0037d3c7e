#!/usr/bin/env node
// A Ctrl-C (or SIGTERM) while the sources are still loading has nothing to close: exit at once, quietly.
// src/cli.ts removes this listener (by its name) once it listens itself.
process.on('SIGINT', function exitBeforeStart() { process.exit(0); });
process.on('SIGTERM', function exitBeforeStart() { process.exit(0); });
// The sources run as one cached esbuild bundle (core's launch: see packages/core/README.md).
const { launch } = await import('@tbpipe/core/launch');
await launch(new URL('../src/cli.ts', import.meta.url));
