/**
 * Nothing is installed beside a Lambda bundle: in this process, any bare import or require() of a
 * package that is not built into Node fails, as it would in Lambda, although the repository's
 * node_modules lies above the bundles' folder under .tmp/. Loaded first by the bundle tests'
 * processes (lambda-bootstrap.mjs imports it; bundles.test.ts passes it to `node --import`).
 */
import Module, { register } from 'node:module';

const bare = (s) => !Module.isBuiltin(s) && !/^(\.{0,2}\/|file:|data:|node:)/.test(s);

// ES module imports: a bare specifier that is not built in has nowhere to come from.
register('data:text/javascript,' + encodeURIComponent(`
  import { isBuiltin } from 'node:module';
  export async function resolve(specifier, context, next) {
    if (!isBuiltin(specifier) && !/^(\\.{0,2}\\/|file:|data:|node:)/.test(specifier)) {
      const err = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL + ' (nothing is installed beside a Lambda bundle)');
      err.code = 'ERR_MODULE_NOT_FOUND';
      throw err;
    }
    return next(specifier, context);
  }
`));
// require() (the bundle's banner gives CommonJS packages one): the same.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (bare(request)) {
    const err = new Error(`Cannot find module '${request}' (nothing is installed beside a Lambda bundle)`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolveFilename.call(this, request, ...rest);
};

