/**
 * `npm run bench:init-steps`: what each cold-start step of issue #12 bought, for four functions, by
 * rebuilding them from the sources of the commit before each step (checked out with `git worktree`
 * under .tmp/) with that step's bundling:
 *
 *   A  before: CommonJS, the AWS SDK taken from the runtime, source maps loaded at cold start
 *   B  ES module with the SDK bundled (lib/bundling.ts)                                    56ba8f9
 *   C  each function bundles only its own route and schemas; only publishers bundle SNS   9aaaf47
 *   D  source maps not loaded at cold start                                                29a75ca
 *   E  credentials from the environment only; no zod where nothing is validated           today
 *
 * Each is cold-started in a fresh process (import, then one invoke that makes no AWS call — refused
 * with 401 for want of the authorizer's context, or an empty stream batch: these steps changed
 * loading, not the use cases), in
 * rounds interleaved with an empty handler; medians over the empty handler's. Prints a table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { esbuildOptions } from '../lib/bundling';
import { BUNDLES_DIR, measureInit, type Subject } from './init';
import { table } from './support';

const ROOT = join(__dirname, '..');
const FUNCTIONS = ['get-health', 'get-incident', 'report-incident', 'notify-from-stream'];

/** The handler sources as they were at `commit` (today's working tree for null). */
function sourcesAt(commit: string | null): string {
  if (!commit) return ROOT;
  const dir = join(ROOT, '.tmp', `init-steps-${commit}`);
  if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: ROOT, stdio: 'ignore' });
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
  const rounds = Number(process.argv[2] ?? 7);
  const today = esbuildOptions(join(ROOT, 'lambdas', 'handlers', 'get-health.ts'));
  const { alias: _alias, ...esm } = today;
  const cjs: BuildOptions = { ...esm, format: 'cjs', banner: {}, external: ['@aws-sdk/*', '*/proto/compiled'] };
  const steps: Array<[string, string | null, BuildOptions, string, boolean]> = [
    ['A', '5d8c0d6', cjs, 'index.js', true],
    ['B', '5d8c0d6', esm, 'index.mjs', true],
    ['C', '9aaaf47', esm, 'index.mjs', true],
    ['D', '9aaaf47', esm, 'index.mjs', false],
    ['E', null, today, 'index.mjs', false],
  ];
  const subjects: Subject[] = [];
  for (const fn of FUNCTIONS) {
    for (const [step, commit, options, file, sourceMaps] of steps) {
      subjects.push({ ...build(`${step} ${fn}`, join(sourcesAt(commit), 'lambdas', 'handlers', `${fn}.ts`), options, file, sourceMaps), event: fn === 'notify-from-stream' ? { Records: [] } : {} });
    }
  }
  const env = { CONCORD_TABLE_NAME: 'concord-steps', CONCORD_SIGNING_SECRET: 'x'.repeat(32), CONCORD_PUBLIC_BASE_URL: 'https://api.example', CONCORD_TOPIC_ARN_PREFIX: 'arn:aws:sns:us-east-1:123456789012:concord-org-' };
  const { empty, rows } = measureInit('init steps', subjects.map((s) => ({ ...s, env: { ...s.env, ...env } })), rounds);
  console.log(`\nInit steps (import + a refused invoke, over an empty handler at ${empty} ms)\n${table(rows.map(({ status, ...r }) => ({ ...r, answered: status })))}`);
}

main();
