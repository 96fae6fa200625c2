// One cold start, as the Lambda runtime does it: import the bundle, then invoke its handler once.
// Prints {importMs, invokeMs} as JSON. argv: bundle path, event JSON.
import { createRequire } from 'node:module';

const bundle = process.argv[2];
const event = JSON.parse(process.argv[3] ?? '{}');
const context = { awsRequestId: 'bench-request', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench', getRemainingTimeInMillis: () => 10_000, callbackWaitsForEmptyEventLoop: true };
const t0 = process.hrtime.bigint();
// As the Lambda runtime loads a handler: an .mjs file is imported, a .js file required (CommonJS).
const { handler } = bundle.endsWith('.js') ? createRequire(import.meta.url)(bundle) : await import(bundle);
const t1 = process.hrtime.bigint();
let status;
try {
  const out = await handler(event, context);
  status = out?.statusCode ?? (out?.principalId ? 'allow' : out?.batchItemFailures ? `failures:${out.batchItemFailures.length}` : 'ok');
} catch (err) {
  status = `threw: ${err?.name}: ${err?.message}`;
}
const t2 = process.hrtime.bigint();
process.stdout.write('\n' + JSON.stringify({ importMs: Number(t1 - t0) / 1e6, invokeMs: Number(t2 - t1) / 1e6, status }));
process.exit(0);
