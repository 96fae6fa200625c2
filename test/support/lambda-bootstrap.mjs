/**
 * The bundle test's stand-in for the Lambda Node.js runtime, run as a child process per function
 * (test/support/lambda-runtime.ts spawns it): resolves `_HANDLER` in `LAMBDA_TASK_ROOT` as the
 * runtime does (`index.handler` → index.js, index.mjs or index.cjs, export `handler`), imports it
 * once (init), then takes invocations over IPC and answers each with the handler's result or error,
 * serialized as Lambda serializes them (JSON). Nothing is installed beside a bundle in Lambda, so
 * any package the bundle did not bundle (a wrong external) fails to load here too
 * (lambda-no-packages.mjs), though the repository's node_modules lies above the bundle's folder.
 *
 * Plain JavaScript on purpose: it must run under bare `node`, with no TypeScript loader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// First: nothing installed beside a bundle (see the file). npm run bench turns the guard off
// (HARNESS_PACKAGE_GUARD=off): its loader hook would add its own cost to every import it times.
if (process.env.HARNESS_PACKAGE_GUARD !== 'off') await import('./lambda-no-packages.mjs');

const errorOf = (err, type) => ({
  errorType: type ?? (err && err.name) ?? 'Error',
  errorMessage: err && err.message !== undefined ? String(err.message) : String(err),
  stack: err && err.stack ? String(err.stack).split('\n') : [],
});

async function init() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (!root || dot < 1) throw Object.assign(new Error(`Bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(root, moduleName + ext)).find((f) => existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: 'Runtime.ImportModuleError' });
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw Object.assign(new Error(`${err?.name ?? 'Error'}: ${err?.message ?? err}`), { name: 'Runtime.ImportModuleError', stack: err?.stack });
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  return fn;
}

const started = process.hrtime.bigint();
const cpuAtStart = process.cpuUsage();
const ready = init().then((fn) => ({ fn }), (err) => ({ err }));
// How long the import took (init), reported with the first answer: npm run bench reads it.
const initMs = ready.then(() => Number(process.hrtime.bigint() - started) / 1e6);

process.on('message', async (msg) => {
  const { id, event, context: c } = msg;
  const loaded = await ready;
  if (loaded.err) {
    process.send({ id, ok: false, error: errorOf(loaded.err, loaded.err.name) });
    return;
  }
  process.env._X_AMZN_TRACE_ID = c.traceId;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: c.awsRequestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, c.deadlineMs - Date.now()),
  };
  const t = process.hrtime.bigint();
  // cpuMs: the CPU this process spent from the import's start to this answer (user + system): what
  // the code costs, apart from the time spent waiting on the services it calls.
  const timing = async () => {
    const cpu = process.cpuUsage(cpuAtStart);
    return { initMs: await initMs, durationMs: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  try {
    const result = await loaded.fn(event, context);
    process.send({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)), timing: await timing() });
  } catch (err) {
    process.send({ id, ok: false, error: errorOf(err), timing: await timing() });
  }
});

// An unhandled rejection ends the sandbox in Lambda; here the parent sees the process exit.
process.on('unhandledRejection', (err) => {
  console.error('Runtime.UnhandledPromiseRejection', err);
  process.exit(128);
});
// The test runner went away: so does the sandbox.
process.on('disconnect', () => process.exit(0));
