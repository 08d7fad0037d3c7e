/**
 * The loading half of the board: {@link openLogdir} reads a TensorBoard logdir into memory the way TensorBoard
 * 2.20's Python loader does and keeps it current.
 */
import type { LoadOptions, LogdirStore } from '../store/provider.ts';
import { Logdir } from './logdir.ts';

export { DEFAULT_RELOAD_INTERVAL_SECONDS } from './logdir.ts';
export { DEFAULT_SAMPLES_PER_PLUGIN, DEFAULT_SAMPLES } from './run-loader.ts';

/**
 * Open `options.logdir`: resolves once the first full load is done. Then every `reloadIntervalSeconds` (default 5;
 * 0: only when `reload()` is called) and on file-system notifications, appended bytes are read and subscribers told.
 * Throws a `TbpipeError` (`BOARD_LOGDIR`) when the logdir does not exist or is not a directory.
 * @example const store = await openLogdir({ logdir: 'runs' }); store.readScalars('scalars', 1000); await store.close();
 */
export async function openLogdir(options: LoadOptions): Promise<LogdirStore> {
  const logdir = new Logdir(options);
  await logdir.start();
  return logdir;
}
