// BENCH_TRACE=1 npm run bench -- --only init: preloaded into every cold start (node --import), it
// notes each HTTP request the process makes — DynamoDB's and Secrets Manager's by their
// X-Amz-Target — with when it started, when its answer began and ended (ms since the process
// started), and appends them to .tmp/traces/<function name>.log at exit, one block per cold start.
// What it showed first: the lists fetched the signing secret before their first DynamoDB read.
import http from 'node:http';
import https from 'node:https';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_TRACE_DIR;
const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
const lines = [];
const ms = (t) => t.toFixed(1);
for (const mod of [http, https]) {
  const request = mod.request;
  mod.request = function traced(...args) {
    const options = typeof args[0] === 'object' && !(args[0] instanceof URL) ? args[0] : (args[1] ?? {});
    const what = options.headers?.['x-amz-target'] ?? `${options.method ?? 'GET'} ${options.host ?? options.hostname ?? ''}${options.path ?? ''}`.slice(0, 80);
    const start = performance.now();
    const req = request.apply(this, args);
    req.on('response', (res) => {
      const head = performance.now();
      res.on('end', () => lines.push(`${ms(start)} → ${ms(head)} → ${ms(performance.now())}  ${what}`));
    });
    return req;
  };
}
process.on('exit', () => {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${name}.log`), `${lines.join('\n')}\n${ms(performance.now())} exit\n---\n`);
});
