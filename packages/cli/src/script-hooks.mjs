// Module hooks for `swarmlab run`. Plain JavaScript: hooks run on their own thread.
// - resolve: a script imports '@swarmlab/launcher' or '@swarmlab/api' wherever it lives
//   (examples/, a user's folder) and gets the very modules the CLI runs, so a Lab it is handed
//   is the same class it imports.
// - load: a script is an ES module (`export default async (lab) => …`) even in a folder whose
//   package.json does not say "type": "module", and so are the .ts files beside it.

/** @type {Record<string, string>} */
let packages = {};
/** @type {string} */
let scriptDir = '';

export function initialize(data) {
  packages = data.packages;
  scriptDir = data.scriptDir;
}

export async function resolve(specifier, context, next) {
  const url = packages[specifier];
  if (url) return { url, shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith(scriptDir) && /\.(ts|tsx)$/.test(new URL(url).pathname) && !url.includes('/node_modules/')) {
    return next(url, { ...context, format: 'module' });
  }
  return next(url, context);
}
