/**
 * How every function is bundled, in one place: the CDK construct passes `BUNDLING` to NodejsFunction,
 * and `npm run size`, `npm run bench` and the bundle tests build with `esbuildOptions`, the same
 * settings in esbuild's own terms — so what is measured and tested is what deploys.
 *
 * - ESM (`index.mjs`): the Lambda runtime imports it natively (about as fast as the same code as
 *   CommonJS: the init-steps table in bench/README.md). A banner gives bundled CommonJS packages `require`,
 *   `__filename` and `__dirname`.
 * - The AWS SDK is bundled, tree-shaken and minified, its version pinned by package-lock.json
 *   (AWS's own recommendation): the functions run the SDK the tests ran, not whatever the runtime ships.
 * - The SDK's default credential chain is replaced by its first link, the environment, where
 *   Lambda puts the execution role's credentials (lambdas/runtime/lambda-credentials.ts says why).
 * - DDSketch's protobuf codec is required lazily and never called (we store sketch bins ourselves),
 *   so it stays out.
 */
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

const BANNER = [
  "import { createRequire as __concordRequire } from 'node:module';",
  "import { fileURLToPath as __concordPath } from 'node:url';",
  "import { dirname as __concordDir } from 'node:path';",
  'const require = __concordRequire(import.meta.url);',
  'const __filename = __concordPath(import.meta.url);',
  'const __dirname = __concordDir(__filename);',
].join(' ');

const EXTERNAL = ['*/proto/compiled'];

const ALIAS = { '@aws-sdk/credential-provider-node': join(__dirname, '..', 'lambdas', 'runtime', 'lambda-credentials.ts') };

/** NodejsFunction's `bundling` props. */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: BANNER,
  externalModules: EXTERNAL,
  esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': ALIAS['@aws-sdk/credential-provider-node'] },
};

/** The same settings for esbuild's API, for one handler file. */
export function esbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry], bundle: true, minify: BUNDLING.minify, platform: 'node', target: BUNDLING.target,
    format: 'esm', mainFields: [...BUNDLING.mainFields], external: [...EXTERNAL], banner: { js: BANNER }, alias: ALIAS, logLevel: 'silent',
  };
}

/** The bundle's file name as NodejsFunction writes it. */
export const BUNDLE_FILE = 'index.mjs';
