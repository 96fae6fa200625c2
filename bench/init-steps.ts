/**
 * `npm run bench:init-steps`: what each cold-start step of issue #12 bought, for four functions, by
 * rebuilding them as they were before each step. The sources "before" are those of commit
 * BEFORE (checked out with `git worktree` under .tmp/), the rest are the working tree's:
 *
 *   A  before: CommonJS, the AWS SDK taken from the runtime, source maps loaded at cold start
 *   B  + ES module with the SDK bundled (lib/bundling.ts)
 *   C  + each function bundles only its own route and schemas; only publishers bundle SNS
 *   D  + source maps not loaded at cold start (today's deployment)
 *
 * Each is cold-started in a fresh process (import, then one invoke refused with 401 for want of
 * the authorizer's context, so no AWS call: the steps changed loading, not the use cases), in
 * rounds interleaved with an empty handler; medians over the empty handler's. Prints a table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { esbuildOptions } from '../lib/bundling';
import { BUNDLES_DIR, measureInit, type Subject } from './init';
import { table } from './support';

const BEFORE = '5d8c0d6';
const ROOT = join(__dirname, '..');
const FUNCTIONS = ['get-health', 'get-incident', 'report-incident', 'notify-from-stream'];

function sourcesBefore(): string {
  const dir = join(ROOT, '.tmp', 'init-steps-before');
  if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, BEFORE], { cwd: ROOT, stdio: 'ignore' });
  return dir;
}

function build(name: string, entry: string, options: BuildOptions, file: string, sourceMaps: boolean): Subject {
  const dir = join(BUNDLES_DIR, 'steps', name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, file);
  buildSync({ ...options, entryPoints: [entry], outfile, sourcemap: 'linked' });
  return { name, file: outfile, bytes: statSync(outfile).size, env: sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {} };
}

function main() {
  const before = sourcesBefore();
  const rounds = Number(process.argv[2] ?? 7);
  const subjects: Subject[] = [];
  for (const fn of FUNCTIONS) {
    const old = join(before, 'lambdas', 'handlers', `${fn}.ts`);
    const now = join(ROOT, 'lambdas', 'handlers', `${fn}.ts`);
    const esm = esbuildOptions(now);
    const cjs: BuildOptions = { ...esm, format: 'cjs', banner: {}, external: ['@aws-sdk/*', '*/proto/compiled'] };
    subjects.push(
      build(`A ${fn}`, old, cjs, 'index.js', true),
      build(`B ${fn}`, old, esm, 'index.mjs', true),
      build(`C ${fn}`, now, esm, 'index.mjs', true),
      build(`D ${fn}`, now, esm, 'index.mjs', false),
    );
  }
  const { empty, rows } = measureInit('init steps', subjects.map((s) => ({ ...s, env: { ...s.env, CONCORD_TABLE_NAME: 'concord-steps', CONCORD_SIGNING_SECRET: 'x'.repeat(32) } })), rounds);
  console.log(`\nInit steps (import + a refused invoke, over an empty handler at ${empty} ms)\n${table(rows.map(({ status, ...r }) => ({ ...r, answered: status })))}`);
}

main();
