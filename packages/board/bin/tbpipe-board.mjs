#!/usr/bin/env node
// A Ctrl-C (or SIGTERM) while the TypeScript sources are still loading has nothing to close: exit at once, quietly.
// src/cli.ts removes this listener (by its name) once it listens itself.
process.on('SIGINT', function exitBeforeStart() { process.exit(0); });
process.on('SIGTERM', function exitBeforeStart() { process.exit(0); });
const { registerTypeScript } = await import('@tbpipe/core/register-typescript');
registerTypeScript();
await import('../src/cli.ts');
