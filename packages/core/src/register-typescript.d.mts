// Types of register-typescript.mjs (hand-written: the file is plain JavaScript, run before tsx is registered).
/**
 * Register tsx's ESM hooks (and source maps) so that this process can import `.ts` files; `required` lists absolute
 * paths of CommonJS modules already loaded with `require` that ES imports should reuse without a source scan.
 */
export declare function registerTypeScript(options?: { required?: readonly string[] }): void;
