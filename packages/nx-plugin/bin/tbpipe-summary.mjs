#!/usr/bin/env node
// The summary `nx run <pipeline>:all` ends with (its last task): see ../src/summary.mjs.
import { main } from '../src/summary.mjs';

process.exitCode = main(process.argv.slice(2), process.env, process.cwd());
