import { relative } from 'node:path';
import { UsageError, runCli, type Logger } from '@tbpipe/core';
import { dumpRows, findEventFiles, formatRunTags, inspectLogdir } from './inspect.ts';
import { readEvents } from './reader.ts';

// `tbpipe-events dump … | head` closes the pipe early: that is a normal end, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

/** Write a line, waiting for the pipe to drain so a big dump does not pile up in memory. */
async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

const HELP = `tbpipe-events — look inside TensorBoard event files

Usage:
  tbpipe-events dump <file|dir> [--lenient]   one JSON line per value: file, wall_time, step, tag, plugin, value
  tbpipe-events tags <logdir> [--lenient] [--json]
                                              runs, tags, point counts and step ranges (like tensorboard --inspect)

Options:
  --lenient   skip corrupt records (counted in a warning) instead of failing
  --json      tags: print the statistics as JSON
  -h, --help  this text

Exit codes: 0 ok, 1 unreadable or corrupt input, 2 usage error.
`;

await runCli({
  name: 'tbpipe-events',
  help: HELP,
  options: { lenient: { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, logger: Logger) {
    const [command, target, ...rest] = positionals;
    if (!command) throw new UsageError('no command, expected dump or tags');
    if (!target) throw new UsageError(`${command} needs a path, expected ${command} <${command === 'tags' ? 'logdir' : 'file|dir'}>`);
    if (rest.length > 0) throw new UsageError(`extra arguments ${JSON.stringify(rest)}, expected one path`);
    const readOptions = { lenient: Boolean(values.lenient), logger };
    if (command === 'dump') {
      const files = await findEventFiles(target);
      const single = files.length === 1 && files[0] === target;
      for (const file of files) {
        for await (const { event } of readEvents(file, readOptions)) {
          for (const row of dumpRows(event)) {
            await writeLine(JSON.stringify(single ? row : { file: relative(target, file), ...row }));
          }
        }
      }
    } else if (command === 'tags') {
      const runs = await inspectLogdir(target, readOptions);
      process.stdout.write(values.json ? `${JSON.stringify(runs, null, 2)}\n` : formatRunTags(runs));
    } else {
      throw new UsageError(`unknown command '${command}', expected dump or tags`);
    }
  },
});
