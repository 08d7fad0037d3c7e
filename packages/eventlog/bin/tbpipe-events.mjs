#!/usr/bin/env node
import { registerTypeScript } from '@tbpipe/core/register-typescript';

registerTypeScript();
await import('../src/cli.ts');
