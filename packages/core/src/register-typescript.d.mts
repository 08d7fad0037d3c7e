// Types of register-typescript.mjs (hand-written: the file is plain JavaScript, run before tsx is registered).
/** Register tsx's ESM hooks (and source maps) so that this process can import `.ts` files. */
export declare function registerTypeScript(): void;
