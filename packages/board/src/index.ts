export { startBoard, BoardError, DEFAULT_BOARD_OPTIONS, isLoopback } from './server.ts';
export type { Board, BoardOptions } from './server.ts';
export { openLogdir, DEFAULT_SAMPLES_PER_PLUGIN, DEFAULT_RELOAD_INTERVAL_SECONDS } from './load/index.ts';
export { resolveInsideLogdir } from './routes/paths.ts';
export type { ResolvedPath } from './routes/paths.ts';
export type { DataProvider, LogdirStore, LoadOptions, ReloadReport, SeriesChange } from './store/provider.ts';
export type { PluginRoutes, RouteHandler, RouteRequest, RouteReply, RouteContext } from './routes/types.ts';
