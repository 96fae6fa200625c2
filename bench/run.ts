/**
 * `npm run bench`: one run on the embedded engine, progress on stderr, a table per section on
 * stdout and everything in bench/results/<time>.json so runs can be compared. Figures are printed,
 * never asserted: this shared machine's timings vary.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildSync as esbuild } from 'esbuild';
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoAuditLog } from '../lambdas/adapters/dynamodb/audit-log';
import { ENV } from '../lambdas/config/env';
import { container, resetContainer } from '../lambdas/wiring/incidents';
import { directoryFiles } from '../lambdas/wiring/directory-file';
import type { Caller } from '../lambdas/domain/incident';
import { notifications } from '../lambdas/wiring/notifications';
import { startEmbeddedEngine } from '../local/dynamodb-local';
import { LocalOutbox } from '../local/outbox';
import { createLocalServer } from '../local/server';
import { ensureTable } from '../local/table';
import { esbuildOptions } from '../lib/bundling';
import { handlers } from '../scripts/bundle-size';
import { benchMetrics } from './metrics';
import { Counter, countedClient, load, progress, table, timeIt } from './support';

const results: Record<string, unknown> = {};
const section = (title: string, rows: Array<Record<string, unknown>>) => {
  results[title] = rows;
  console.log(`\n${title}\n${table(rows)}`);
};

async function main() {
  process.env.CONCORD_LOG_LEVEL = 'silent';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.error('Starting DynamoDB Local (in memory)…');
  const engine = await startEmbeddedEngine(':memory:');
  const counter = new Counter();
  const db = countedClient(engine.endpoint, counter);
  const raw = new DynamoDBClient({ endpoint: engine.endpoint });
  const newTable = async (name: string, stream = false) => { await ensureTable(raw, name, { stream }); return name; };
  try {
    section('Metrics query at volume (GET /v1/metrics, the query alone)', await benchMetrics(db, 'bench-metrics', counter, newTable));
    await lifecycle(engine.endpoint, counter, newTable);
    section('Cold start: bundle size and load time in a fresh Node process', coldStarts());
  } finally {
    raw.destroy();
    await engine.stop();
  }
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, at: new Date().toISOString() };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, 'results', `${machine.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, results }, null, 2));
  console.log(`\nMachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}\nWritten: ${file}`);
}

async function lifecycle(endpoint: string, counter: Counter, newTable: (n: string, stream?: boolean) => Promise<string>) {
  const tableName = await newTable('bench-lifecycle', true);
  process.env[ENV.tableName] = tableName;
  process.env[ENV.dynamodbEndpoint] = endpoint;
  process.env[ENV.signingSecret] = 'bench-signing-secret-0123456789abcdef0123';
  process.env[ENV.publicBaseUrl] = 'http://localhost:3000';
  const outbox = new LocalOutbox();
  resetContainer({ publisher: outbox, provisioner: outbox });
  const services = await container();
  const orgs = Array.from({ length: 50 }, (_, i) => `org-${String(i).padStart(2, '0')}`);
  await (await directoryFiles()).load({ organizations: orgs.map((id) => ({ id, name: id, kind: 'agency', contacts: [{ name: 'duty', email: `duty@${id}.example`, phone: null }], keys: [{ role: 'partner', key: `bench-${id}-partner-key-000000000` }] })) });
  const caller = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 'bench' });
  const input = { title: 'Benchmark incident', severity: 'high' as const, category: 'ddos' as const, participants: ['org-01', 'org-02'] };

  // Requests per command, counted by an SDK middleware on a client of our own.
  const { DynamoIncidentRepository } = await import('../lambdas/adapters/dynamodb/incident-repository');
  const { DynamoDirectoryRepository } = await import('../lambdas/adapters/dynamodb/directory-repository');
  const { makeIncidents } = await import('../lambdas/domain/incidents');
  const { ulidGenerator, systemClock } = await import('../lambdas/domain/ids');
  const counted = countedClient(endpoint, counter);
  const service = makeIncidents({ incidents: new DynamoIncidentRepository(counted, tableName), directory: new DynamoDirectoryRepository(counted, tableName), audit: new DynamoAuditLog(counted, { tableName }), clock: systemClock, ids: ulidGenerator(systemClock) });
  const perCommand: Array<Record<string, unknown>> = [];
  const measure = async (name: string, fn: () => Promise<unknown>) => {
    counter.reset();
    await fn();
    perCommand.push({ command: name, writeRequests: counter.writes(), readRequests: counter.reads(), byOperation: [...counter.byOperation].map(([k, v]) => `${k}×${v}`).join(' ') });
  };
  const { incident } = await service.report(caller('org-00'), input);
  await measure('report', () => service.report(caller('org-00'), input));
  await measure('acknowledge', () => service.acknowledge(caller('org-01'), incident.id, {}));
  await measure('assign', () => service.assign(caller('org-01'), incident.id, { orgId: 'org-02' }));
  await measure('get', () => service.get(caller('org-01'), incident.id));
  await measure('resolve', () => service.resolve(caller('org-01'), incident.id, 'done'));
  section('DynamoDB requests per command (target: one write per lifecycle command, one read for a get)', perCommand);

  // Latency and throughput: through the use cases (what a handler calls) and through HTTP.
  const server = createLocalServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (key: string, path: string, body: unknown) => fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const rows: Array<Record<string, unknown>> = [];
  for (const concurrency of [1, 16]) {
    const n = concurrency === 1 ? 100 : 400;
    const bar = progress(`  lifecycle at concurrency ${concurrency}`);
    const ids: string[] = [];
    const r1 = await load(async () => { ids.push((await services.incidents.report(caller('org-00'), input)).incident.id); }, n, concurrency); bar(0.15);
    const a1 = await load((i) => services.incidents.acknowledge(caller('org-01'), ids[i]!, {}), n, concurrency); bar(0.3);
    const s1 = await load((i) => services.incidents.assign(caller('org-01'), ids[i]!, { orgId: 'org-02' }), n, concurrency); bar(0.4);
    const v1 = await load((i) => services.incidents.resolve(caller('org-01'), ids[i]!, 'done'), n, concurrency); bar(0.5);
    const key = 'bench-org-00-partner-key-000000000';
    const hk = 'bench-org-01-partner-key-000000000';
    const hids: string[] = [];
    const r2 = await load(async () => { hids.push((await post(key, '/v1/incidents', input)).id); }, n, concurrency); bar(0.65);
    const a2 = await load((i) => post(hk, `/v1/incidents/${hids[i]}/acknowledge`, {}), n, concurrency); bar(0.75);
    const s2 = await load((i) => post(hk, `/v1/incidents/${hids[i]}/assign`, { orgId: 'org-02' }), n, concurrency); bar(0.85);
    const v2 = await load((i) => post(hk, `/v1/incidents/${hids[i]}/resolve`, { resolution: 'done' }), n, concurrency); bar(1);
    bar.done();
    for (const [via, command, t] of [['use case', 'report', r1], ['use case', 'acknowledge', a1], ['use case', 'assign', s1], ['use case', 'resolve', v1],
      ['HTTP', 'report', r2], ['HTTP', 'acknowledge', a2], ['HTTP', 'assign', s2], ['HTTP', 'resolve', v2]] as const) {
      rows.push({ via, command, concurrency, perSecond: t.perSecond, p50ms: t.p50, p99ms: t.p99 });
    }
  }
  section('Lifecycle throughput and latency', rows);

  // A bare DynamoDB request of the same shape as acknowledge: one GetItem and one TransactWriteItems.
  const { GetCommand, TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const bare = await timeIt(async () => {
    await counted.send(new GetCommand({ TableName: tableName, Key: { PK: `INC#${incident.id}`, SK: 'INCIDENT' }, ConsistentRead: true }));
    const id = `bare-${Math.random()}`;
    await counted.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: tableName, Item: { PK: id, SK: 'INCIDENT', n: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: { PK: id, SK: 'EVT#1' } } },
      ...['a', 'b', 'c'].map((p) => ({ Put: { TableName: tableName, Item: { PK: id, SK: `PART#${p}` } } })),
    ] }));
  }, 100);
  const ackSamples: number[] = [];
  for (let i = 0; i < 100; i++) {
    const { incident: fresh } = await services.incidents.report(caller('org-00'), input);
    const t0 = performance.now();
    await services.incidents.acknowledge(caller('org-01'), fresh.id, {});
    ackSamples.push(performance.now() - t0);
  }
  const ackP50 = [...ackSamples].sort((a, b) => a - b)[50]!;
  section('Overhead over a bare request of the same shape (target ≤ 1.25×)', [{ command: 'acknowledge', commandP50ms: +ackP50.toFixed(2), bareP50ms: bare.p50, ratio: +(ackP50 / bare.p50).toFixed(2) }]);

  // Fan-out: one report with 50 participating organizations, notified through the notifier.
  const { notifier } = await notifications();
  const fan = await services.incidents.report(caller('org-00'), { ...input, participants: orgs });
  const { events } = await services.incidents.timeline(caller('org-00'), fan.incident.id);
  const t = await timeIt(() => notifier.notify(fan.incident.id, events[0]!), 1);
  section('Fan-out: one report to 50 organizations (local publisher)', [{ organizations: 50, messages: outbox.messages.filter((m) => m.incidentId === fan.incident.id).length, ms: t.p50 }]);
  await new Promise((done) => { server.close(done); server.closeAllConnections(); });
}

function coldStarts(): Array<Record<string, unknown>> {
  const dir = join(__dirname, '..', '.tmp', 'bench-bundles');
  mkdirSync(dir, { recursive: true });
  const loadMs = (file: string) => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const out = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], { env: { ...process.env, CONCORD_TABLE_NAME: 'x', CONCORD_SIGNING_SECRET: 'x'.repeat(32) } });
      samples.push(Number(out.toString().trim()));
    }
    return +[...samples].sort((a, b) => a - b)[2]!.toFixed(1);
  };
  writeFileSync(join(dir, 'empty.js'), 'exports.handler = async () => ({ statusCode: 200, body: "" });');
  const empty = loadMs(join(dir, 'empty.js'));
  const rows: Array<Record<string, unknown>> = [];
  const bar = progress('  bundling and loading each function');
  const names = handlers();
  names.forEach((h, i) => {
    const file = join(dir, `${h}.js`);
    const bytes = buildSync(h, file);
    const ms = loadMs(file);
    rows.push({ function: h, kb: +(bytes / 1024).toFixed(1), loadMs: ms, overEmptyMs: +(ms - empty).toFixed(1), within: ms - empty <= 60 ? 'yes' : 'no' });
    bar((i + 1) / names.length);
  });
  bar.done();
  rows.push({ function: '(empty handler)', kb: 0, loadMs: empty, overEmptyMs: 0, within: '' });
  return rows;
}

/** Bundles one function exactly as the CDK app does; returns its size. */
function buildSync(handler: string, outfile: string): number {
  esbuild({ ...esbuildOptions(join(__dirname, '..', 'lambdas', 'handlers', `${handler}.ts`)), outfile });
  return statSync(outfile).size;
}

main().catch((err) => { console.error(err); process.exit(1); });
