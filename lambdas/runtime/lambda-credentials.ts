/**
 * The bundles' `@aws-sdk/credential-provider-node` (lib/bundling.ts aliases it here). In Lambda the
 * execution role's credentials are always in the environment, so of the SDK's default chain —
 * environment, SSO, INI files, credential processes, web identity, then container and instance
 * metadata — only the first ever answers there. The others (about 130 KB with the STS and SSO
 * clients they bring, and Node built-ins such as child_process loaded at import) cost every cold
 * start about 35 ms here and never ran. Our TypeScript sources, run by `npm start`, the tests and
 * the operator's scripts, keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];

/** The environment's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
export const defaultProvider = (init: Init = {}) => fromEnv(init);

/** As the SDK's own: credentials with an expiry are refreshed five minutes before it. */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
