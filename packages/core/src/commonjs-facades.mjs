// Module hooks (they run in Node's hooks thread), registered by register-typescript.mjs: an ES `import` of a CommonJS
// module the bin already loaded gets a generated ES module re-exporting it (see registerTypeScript's `required`).

/** @type {Record<string, string>} file URL → ES module source */
let facades = {};

/** @param {{ facades: Record<string, string> }} data */
export function initialize(data) {
  facades = data.facades;
}

/**
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<object>} nextLoad
 */
export async function load(url, context, nextLoad) {
  const source = facades[url];
  if (source !== undefined) return { format: 'module', source, shortCircuit: true };
  return nextLoad(url, context);
}
