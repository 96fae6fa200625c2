/**
 * Every function's bundle, built exactly as the CDK app builds it (the same esbuild settings), loads
 * in a fresh Node process the way the Lambda runtime loads it — an ES module (`index.mjs`) with the
 * SDK inside, the environment the stack sets, nothing installed beside it — and exports a `handler`
 * function. A missing module, a wrong external, an ESM/CJS mismatch or a misnamed export fails
 * here. How long each takes to load (what the old 150 KB budget stood for) is measured by
 * `npm run bench`, never by a timed test. test/infra/bundle-lifecycle.test.ts goes further: it
 * invokes every bundle with AWS's events and runs the whole lifecycle through them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_FILE, esbuildOptions } from '../../lib/bundling';
import { bundleSize, handlers } from '../../scripts/bundle-size';
import { ALL_ROUTES } from '../../lambdas/http/routes';

const dir = join(__dirname, '..', '..', '.tmp', 'bundles-test');
/** Nothing is installed beside a bundle in Lambda: the repository's node_modules above .tmp/ must not satisfy a wrong external. */
const NO_PACKAGES = pathToFileURL(join(__dirname, '..', 'support', 'lambda-no-packages.mjs')).href;
mkdirSync(dir, { recursive: true });

/** What the stack gives every function, and what the Lambda runtime sets. */
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  CONCORD_TABLE_NAME: 'concord-test', CONCORD_SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
  CONCORD_PUBLIC_BASE_URL: 'https://api.example', CONCORD_AUDIT_RETENTION_DAYS: '2557',
  AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'concord-test', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

it.each(handlers())('%s bundles, loads in a fresh process and exports its handler', async (handler) => {
  const { bytes, code } = await bundleSize(handler);
  expect(bytes).toBeGreaterThan(0);
  const file = join(dir, handler, BUNDLE_FILE);
  mkdirSync(join(dir, handler), { recursive: true });
  writeFileSync(file, code);
  const out = execFileSync(process.execPath, ['--import', NO_PACKAGES, '--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(typeof m.handler)`], { env: LAMBDA_ENV }).toString();
  expect(out).toBe('function');
});

/** The packages whose code a bundle carries (bytes in its output), by name. */
async function packagesIn(handler: string): Promise<Set<string>> {
  const { metafile } = await bundleSize(handler);
  const inputs = Object.values(metafile.outputs)[0]!.inputs;
  return new Set(Object.entries(inputs).filter(([, i]) => i.bytesInOutput > 0)
    .map(([path]) => path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1]).filter((p): p is string => !!p));
}

// zod is most of a small function's init: a function whose routes validate nothing must not load it
// (the on-call routes once built their paths from a template literal, which esbuild will not drop,
// and so put every on-call schema, and zod, into every function).
// Two validate all the same: the OpenAPI document is written from the schemas, and the STIX export
// shares the TAXII service, which checks the reports TAXII adds.
const USES_SCHEMAS_ANYWAY = ['get-openapi', 'get-incident-stix'];
const validatesNothing = [...new Set(ALL_ROUTES.map((r) => r.handler as string))]
  .filter((h) => !USES_SCHEMAS_ANYWAY.includes(h) && ALL_ROUTES.filter((r) => r.handler === h).every((r) => !r.body && !r.query && !r.params)).sort();

it('names the functions that validate nothing (the list below stays honest)', () => {
  expect(validatesNothing).toEqual(expect.arrayContaining(['get-health', 'get-console', 'get-incident', 'list-directory', 'list-organizations']));
});

it.each(validatesNothing)('%s validates nothing and bundles no zod', async (handler) => {
  expect([...await packagesIn(handler)]).not.toContain('zod');
});

it('receive-slack, which only verifies Slack\'s requests, bundles no Slack client (axios and form-data: half its bundle)', async () => {
  const packages = await packagesIn('receive-slack');
  expect([...packages].filter((p) => ['@slack/web-api', 'axios', 'form-data'].includes(p))).toEqual([]);
});

// Classic zod attaches its methods to every schema it builds: importing a function's schemas with it
// cost ~10-15 ms of cold start more than zod/mini (issue #27), so every schema a function builds,
// the OpenAPI document's response schemas included, is built with zod/mini (lambdas/http/zod-mini.ts).
// Classic is recognised both by its modules and by the name it gives its base class in the minified
// code (checked below to tell the two builds apart).
const CLASSIC_MARKER = '"ZodType"';

it(`the marker ${CLASSIC_MARKER} is in a bundle of classic zod and in none of zod/mini`, async () => {
  const bundleOf = async (source: string) => (await build({
    ...esbuildOptions(join(dir, 'entry.ts')), entryPoints: undefined, write: false,
    stdin: { contents: source, resolveDir: join(__dirname, '..', '..'), loader: 'ts' },
  })).outputFiles[0]!.text;
  expect(await bundleOf("import * as z from 'zod'; export const s = z.strictObject({ a: z.string().max(2).optional() });")).toContain(CLASSIC_MARKER);
  expect(await bundleOf("import * as z from 'zod/mini'; export const s = z.strictObject({ a: z.optional(z.string().check(z.maxLength(2))) });")).not.toContain(CLASSIC_MARKER);
});

it.each(handlers())('%s bundles no classic zod: what it builds is zod/mini', async (handler) => {
  const { code, metafile } = await bundleSize(handler);
  const inputs = Object.entries(Object.values(metafile.outputs)[0]!.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path);
  expect(inputs.filter((path) => /node_modules\/zod\/v4\/classic\//.test(path))).toEqual([]);
  expect(code).not.toContain(CLASSIC_MARKER);
});
