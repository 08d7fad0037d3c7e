// Types of launch.mjs (hand-written: the file is plain JavaScript, run before TypeScript can load).
/**
 * Run a bin's TypeScript entry module as one cached esbuild bundle (rebuilt when any file it was built from changes),
 * or through tsx when no bundle can be used or `TBPIPE_BUNDLE=0`.
 */
export declare function launch(entry: URL): Promise<void>;
