#!/usr/bin/env node
// A runtime input of Nx (see ../src/paths.mjs): prints the sha256 of each file or folder named on the command line.
import { main } from '../src/hash-paths.mjs';

process.exitCode = main(process.argv.slice(2), process.cwd());
