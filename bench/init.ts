/**
 * Init time, as a cold Lambda pays it: a fresh Node process imports a bundle built exactly as the
 * CDK app builds it (lib/bundling.ts) and invokes its handler once. Subjects are timed in rounds,
 * each round running the empty handler and then every subject, so the machine's drift hits all
 * alike; each figure is a median, and "over empty" subtracts the empty handler's median.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_FILE, esbuildOptions } from '../lib/bundling';
import { progress } from './support';

const RUNNER = join(__dirname, 'init-runner.mjs');
export const BUNDLES_DIR = join(__dirname, '..', '.tmp', 'bench-bundles');

/** Builds `entry` into `<BUNDLES_DIR>/<name>/index.mjs`; returns the file and its size. */
export function bundle(name: string, entry: string): { file: string; bytes: number } {
  const dir = join(BUNDLES_DIR, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, BUNDLE_FILE);
  buildSync({ ...esbuildOptions(entry), outfile: file });
  return { file, bytes: statSync(file).size };
}

export interface Subject { name: string; file: string; bytes: number; event?: unknown; env?: Record<string, string> }
interface ColdStart { importMs: number; invokeMs: number; status: string }

const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_SESSION_TOKEN: 'bench-token',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CONCORD_LOG_LEVEL: 'silent', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'false',
};

function coldStart(s: Subject): ColdStart {
  const env = { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, AWS_LAMBDA_FUNCTION_NAME: s.name, LAMBDA_TASK_ROOT: join(s.file, '..'), ...s.env };
  const out = execFileSync(process.execPath, [RUNNER, s.file, JSON.stringify(s.event ?? {})], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  // The handler may log to stdout: the runner's figures are the last line.
  return JSON.parse(out.toString().trim().split('\n').pop()!) as ColdStart;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const ms = (x: number) => +x.toFixed(1);

export interface InitRow { subject: string; kb: number; importMs: number; firstInvokeMs: number; initMs: number; overEmptyMs: number; status: string }

/** Cold-starts every subject `rounds` times, interleaved with the empty handler; medians. */
export function measureInit(label: string, subjects: Subject[], rounds: number): { empty: number; rows: InitRow[] } {
  const empty = bundle('empty', join(__dirname, 'entries', 'empty.ts'));
  const samples = new Map<string, ColdStart[]>(subjects.map((s) => [s.name, []]));
  const emptySamples: number[] = [];
  const bar = progress(`  ${label}: ${subjects.length} subjects × ${rounds} cold starts`);
  for (let r = 0; r < rounds; r++) {
    const e = coldStart({ name: 'empty', ...empty });
    emptySamples.push(e.importMs + e.invokeMs);
    subjects.forEach((s, i) => {
      samples.get(s.name)!.push(coldStart(s));
      bar((r * subjects.length + i + 1) / (rounds * subjects.length));
    });
  }
  bar.done();
  const emptyMs = median(emptySamples);
  const rows = subjects.map((s) => {
    const runs = samples.get(s.name)!;
    const init = median(runs.map((c) => c.importMs + c.invokeMs));
    return {
      subject: s.name, kb: +(s.bytes / 1024).toFixed(1), importMs: ms(median(runs.map((c) => c.importMs))), firstInvokeMs: ms(median(runs.map((c) => c.invokeMs))),
      initMs: ms(init), overEmptyMs: ms(init - emptyMs), status: runs[runs.length - 1]!.status,
    };
  });
  return { empty: ms(emptyMs), rows };
}

/** Powertools Logger + Metrics against ours, and AWS's sns-validator against our verifier (issue: use Powertools unless it costs > 5 ms of init). */
export function benchLibraries(rounds: number): Array<Record<string, unknown>> {
  const names = ['logging-ours', 'logging-powertools', 'sns-verifier-ours', 'sns-verifier-aws'];
  const subjects = names.map((name) => ({ name, ...bundle(name, join(__dirname, 'entries', `${name}.ts`)) }));
  const { empty, rows } = measureInit('libraries', subjects, rounds);
  const by = new Map(rows.map((r) => [r.subject, r]));
  const extra = (a: string, b: string) => ms(by.get(a)!.initMs - by.get(b)!.initMs);
  return [
    ...rows.map(({ status: _s, ...r }) => r),
    { subject: '(empty handler)', kb: 0, importMs: '', firstInvokeMs: '', initMs: empty, overEmptyMs: 0 },
    { subject: 'Powertools over ours (budget 5 ms)', kb: '', importMs: '', firstInvokeMs: '', initMs: extra('logging-powertools', 'logging-ours'), overEmptyMs: '' },
    { subject: 'sns-validator over ours', kb: '', importMs: '', firstInvokeMs: '', initMs: extra('sns-verifier-aws', 'sns-verifier-ours'), overEmptyMs: '' },
  ];
}
