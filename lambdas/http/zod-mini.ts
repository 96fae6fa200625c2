/**
 * What every schema a function evaluates is built with: `zod/mini` (its functional API: a fraction
 * of classic zod's code and of its cost at import, since classic attaches its methods to every
 * schema it builds), with classic's English messages, and `withMeta`, which is classic's `.meta()`.
 *
 * zod/mini has no messages of its own (every issue reads "Invalid input") until a locale is
 * configured; classic configures English when it builds its first schema. `built` does the same:
 * each schema module builds its schemas in `/* @__PURE__ *\/ built(() => …)`, which configures
 * English first. Nothing here runs at import, so a function that imports a schema module for a
 * constant but validates nothing drops every schema, the locale and zod itself from its bundle
 * (test/infra/bundles.test.ts).
 */
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';

export * from 'zod/mini';

let english = false;

/** Builds schemas, English messages configured first. Mark each call `/* @__PURE__ *\/`. */
export function built<T>(build: () => T): T {
  if (!english) {
    z.config(en());
    english = true;
  }
  return build();
}

/**
 * Classic's `schema.meta(data)`, exactly: a clone registered in the global registry with `data`.
 * The OpenAPI document is written from these registrations (http/openapi.ts), from the same chain
 * of clones as classic builds, so it is the same document byte for byte.
 */
export const withMeta = <T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T => {
  const cl = schema.clone() as T;
  z.globalRegistry.add(cl, data);
  return cl;
};
