/**
 * What every schema a function evaluates is built with: `zod/mini` (its functional API, a fraction of
 * classic zod's code and of its cost at import: classic attaches its methods to every schema built),
 * with classic's English messages, and `withMeta`, which is classic's `.meta()`.
 *
 * zod/mini has no messages of its own ("Invalid input") until a locale is configured; classic zod
 * configures English on its first schema. Configuring it here, in the one module the schemas are
 * built with, gives the same messages, and only functions that validate load it.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';

/**
 * Classic's `schema.meta(data)`, exactly: a clone registered in the global registry with `data`.
 * The OpenAPI document is written from these registrations (http/openapi.ts), and from the same
 * chain of clones as classic builds, so it is the same document byte for byte.
 */
export const withMeta = <T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T => {
  const cl = schema.clone() as T;
  z.globalRegistry.add(cl, data);
  return cl;
};
