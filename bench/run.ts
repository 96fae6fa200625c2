/**
 * `npm run bench` (`-- --quick` for a short run while developing, `-- --only fanOut,overhead` for
 * some sections): one run on the embedded engine,
 * progress on stderr, a table per section on stdout, and everything in bench/results/<time>.json so
 * runs can be compared. Section keys and row fields are stable; bench/README.md documents them.
 * Figures are printed, never asserted: this shared machine's timings vary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DynamoAuditLog } from '../lambdas/adapters/dynamodb/audit-log';
import { ENV } from '../lambdas/config/env';
import type { Caller } from '../lambdas/domain/actor';
import { handler as acknowledgeHandler } from '../lambdas/handlers/acknowledge-incident';
import { parseInput } from '../lambdas/http/request';
import { json } from '../lambdas/http/responses';
import * as ROUTES from '../lambdas/http/route-table';
import { toProblem } from '../lambdas/http/handler';
import { ConflictError } from '../lambdas/domain/errors';
import { container, resetContainer } from '../lambdas/wiring/incidents';
import { directoryFiles } from '../lambdas/wiring/directory-file';
import { notifications } from '../lambdas/wiring/notifications';
import { startEmbeddedEngine } from '../local/dynamodb-local';
import { LocalOutbox } from '../local/outbox';
import { createLocalServer } from '../local/server';
import { ensureTable } from '../local/table';
import { benchFunctionInit } from './function-init';
import { benchLibraries } from './init';
import { benchLoad } from './load';
import { benchBucketLayout, benchMetrics } from './metrics';
import { benchCorrelation } from './correlation';
import { benchOnCall } from './oncall';
import { benchEngine } from './engine';
import { benchEscalationTimer } from './escalation-timer';
import { Counter, countedClient, load, progress, summarize, table } from './support';

const QUICK = process.argv.includes('--quick');
/** `--only fanOut,overhead`: just those sections (and what they need), for development. */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
const want = (...keys: string[]) => !ONLY || keys.some((k) => ONLY.includes(k));
/** `--shards N`: the write shards the metrics are loaded and read with (a deployed stage's default, 4, unless given). */
const SHARDS = process.argv.includes('--shards') ? Number(process.argv[process.argv.indexOf('--shards') + 1]) : 4;
/** `--load-runs 10x1,50x4`: the load section's runs (reports a second × concurrent stream consumers; `-noaggregator`: without the metrics consumer, a diagnostic), instead of the four. */
const LOAD_RUNS = process.argv.includes('--load-runs')
  ? process.argv[process.argv.indexOf('--load-runs') + 1]!.split(',').map((run) => {
    const [rate, consumers] = run.replace(/-noaggregator$/, '').split('x').map(Number);
    if (!(rate! > 0) || !(consumers! >= 1)) throw new Error(`--load-runs: "${run}" is not <reports a second>x<consumers>[-noaggregator], e.g. 10x1`);
    return { reportsPerSecond: rate!, consumers: consumers!, aggregator: !run.endsWith('-noaggregator') };
  })
  : null;
const results: Record<string, { title: string; rows: Array<Record<string, unknown>> }> = {};
const STARTED = Date.now();
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, at: new Date().toISOString() };
/** `--init-rounds 25 --init-functions get-incident,get-metrics`: the init section's cold starts of each function (7; 3 quick), and only those functions (besides the floors and the empty handler), to compare two versions of a few functions closely. */
const INIT_ROUNDS = process.argv.includes('--init-rounds') ? Number(process.argv[process.argv.indexOf('--init-rounds') + 1]) : QUICK ? 3 : 7;
const INIT_FUNCTIONS = process.argv.includes('--init-functions') ? process.argv[process.argv.indexOf('--init-functions') + 1]!.split(',') : undefined;
if (!(Number.isInteger(INIT_ROUNDS) && INIT_ROUNDS >= 1)) throw new Error('--init-rounds: a whole number of cold starts, at least 1');
const RESULTS_FILE = join(__dirname, 'results', `${machine.at.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ONLY ? '-partial' : ''}.json`);
/** The run so far, to bench/results/<start time>.json. */
function writeResults() {
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const seconds = Math.round((Date.now() - STARTED) / 1000);
  writeFileSync(RESULTS_FILE, JSON.stringify({ machine, quick: QUICK, only: ONLY, seconds, sections: results }, null, 2));
  return { machine, seconds, file: RESULTS_FILE };
}
const section = (key: string, title: string, rows: Array<Record<string, unknown>>) => {
  results[key] = { title, rows };
  console.log(`\n${title}\n${table(rows)}`);
  // Written after every section, so a run stopped part way keeps what it measured.
  writeResults();
};

async function main() {
  process.env.CONCORD_LOG_LEVEL ??= 'silent';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.error(`Starting DynamoDB Local (in memory)…${QUICK ? ' [quick run: smaller volumes, fewer samples]' : ''}`);
  const engine = await startEmbeddedEngine(':memory:');
  const counter = new Counter();
  const db = countedClient(engine.endpoint, counter);
  const raw = new DynamoDBClient({ endpoint: engine.endpoint });
  const newTable = async (name: string, stream = false) => { await ensureTable(raw, name, { stream }); return name; };
  try {
    // Cold starts first, while nothing else has warmed the machine's caches or filled the engine.
    if (want('init')) section('init', 'Init per function: import + first invoke in a fresh process, over an empty handler and over the SDK floor (targets: HTTP functions ≤ +15 ms over the floor at the median, ≤ +30 ms at worst)', await benchFunctionInit(engine.endpoint, INIT_ROUNDS, INIT_FUNCTIONS));
    if (want('libraries')) section('libraries', 'Powertools Logger + Metrics and AWS sns-validator against ours (init over an empty handler; Powertools budget: 5 ms)', benchLibraries(QUICK ? 5 : 11));
    if (want('requestsPerCommand', 'lifecycle', 'overhead', 'handlerSteps', 'fanOut')) await lifecycle(engine.endpoint, counter, newTable);
    if (want('oncall')) section('oncall', 'On call: oncall?at and shifts, a two-year-old schedule against one started yesterday (4 layers, 50 overrides; target: p50 within 1.2×)', benchOnCall(QUICK ? 30 : 100));
    if (want('escalationTimer')) section('escalationTimer', 'The escalation timer: open incidents across 50 organizations with rotations and two-level policies, one run with everything due and one with nothing (how a run grows with the open incidents)', await benchEscalationTimer(engine.endpoint, newTable, QUICK ? [100, 300] : [100, 1_000]));
    if (want('engine')) section('engine', 'DynamoDB Local\'s pace by transaction size (guarded 300-byte puts, one at a time and four at once; the fit: engine ms per transaction = a + b × items)', await benchEngine(db, newTable, QUICK ? 1 : 2));
    if (want('load')) {
      const seconds = QUICK ? 10 : 60;
      const runs = LOAD_RUNS?.map((r) => ({ ...r, seconds })) ?? [
        { reportsPerSecond: 1, consumers: 1, seconds }, { reportsPerSecond: 10, consumers: 1, seconds },
        // What pages cost alone, without the metrics aggregator sharing the one local engine.
        { reportsPerSecond: 10, consumers: 1, seconds, aggregator: false },
        { reportsPerSecond: 50, consumers: 1, seconds }, { reportsPerSecond: 50, consumers: 4, seconds },
      ];
      section('load', `Load on the local stack: steady reports (10 participants each), ${SHARDS} write shards (targets: report → first SMS p99 ≤ 1 s at 10 reports/s; nothing lost or doubled at 50 reports/s with 4 consumers)`, await benchLoad(runs, SHARDS, (row) => {
        // Each run kept as it ends: a later run that fails or is stopped loses nothing before it.
        results.load = { title: 'Load on the local stack (runs so far)', rows: [...(results.load?.rows ?? []), row] };
        writeResults();
        console.error(`  ${JSON.stringify(row)}`);
      }));
    }
    // The sections that load large histories last: DynamoDB Local keeps them in memory and slows
    // every request after (the escalation timer took 40 s for 907 requests after the metrics load).
    if (want('metrics', 'metricsComparison')) {
      const metrics = await benchMetrics(db, 'bench-metrics', counter, newTable, QUICK ? [1_000, 10_000] : [1_000, 100_000], QUICK ? 3 : 7, SHARDS);
      section('metrics', `Metrics query (GET /v1/metrics, the query alone) by density, volume, window and grouping, ${SHARDS} write shards (target: items read within the plan's bound)`, metrics.rows);
      section('metricsComparison', 'Metrics: the larger volume against the smaller (targets: p50 within 1.5×, items read within the plan\'s bound)', metrics.comparison);
    }
    if (want('metricsLayout')) {
      section('metricsLayout', 'Metrics buckets as stored: the layout before against `figures`, the same busy buckets read back by BatchGetItem and decoded, interleaved (bytes as DynamoDB counts them)',
        await benchBucketLayout(db, newTable, QUICK ? 10_000 : 100_000));
    }
    if (want('correlation')) {
      section('correlation', 'Correlation: a report\'s correlation work and the lookup, by volume (10 observables an incident; target: requests per report independent of volume)',
        await benchCorrelation(db, 'bench-correlation', counter, newTable, QUICK ? [1_000, 10_000] : [1_000, 100_000], QUICK ? 3 : 7));
    }
  } finally {
    raw.destroy();
    await engine.stop();
  }
  const { machine, seconds, file } = writeResults();
  console.log(`\nMachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; ${seconds} s\nWritten: ${file}`);
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
  const orgs = Array.from({ length: 51 }, (_, i) => `org-${String(i).padStart(2, '0')}`);
  await (await directoryFiles()).load({ organizations: orgs.map((id) => ({ id, name: id, kind: 'agency', contacts: [{ name: 'duty', email: `duty@${id}.example`, phone: null }], keys: [{ role: 'partner', key: `bench-${id}-partner-key-000000000` }] })) });
  const caller = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 'bench' });
  const input = { title: 'Benchmark incident', severity: 'high' as const, category: 'ddos' as const, participants: ['org-01', 'org-02'] };

  // Requests per command, counted by an SDK middleware on a client of our own.
  const { DynamoIncidentRepository } = await import('../lambdas/adapters/dynamodb/incident-repository');
  const { DynamoDirectoryRepository } = await import('../lambdas/adapters/dynamodb/directory-repository');
  const { makeIncidents } = await import('../lambdas/domain/incident-service');
  const { ulidGenerator, systemClock } = await import('../lambdas/shared/ids');
  const counted = countedClient(endpoint, counter);
  const service = makeIncidents({ incidents: new DynamoIncidentRepository(counted, tableName), directory: new DynamoDirectoryRepository(counted, tableName), audit: new DynamoAuditLog(counted, { tableName }), clock: systemClock, ids: ulidGenerator(systemClock) });
  const perCommand: Array<Record<string, unknown>> = [];
  const measure = async (name: string, fn: () => Promise<unknown>) => {
    counter.reset();
    await fn();
    perCommand.push({ command: name, writeRequests: counter.writes(), readRequests: counter.reads(), byOperation: [...counter.byOperation].map(([k, v]) => `${k}×${v}`).join(' ') });
  };
  const { incident } = await service.report(caller('org-00'), input);
  if (want('requestsPerCommand')) {
    const { incident: other } = await service.report(caller('org-00'), input);
    const { incident: duplicate } = await service.report(caller('org-00'), input);
    await measure('report', () => service.report(caller('org-00'), input));
    await measure('acknowledge', () => service.acknowledge(caller('org-01'), incident.id, {}));
    await measure('assign', () => service.assign(caller('org-01'), incident.id, { orgId: 'org-02' }));
    await measure('get', () => service.get(caller('org-01'), incident.id));
    // Coordination (#23): each one write too; their reads are the incident, and what the rule needs.
    await measure('invite', () => service.invite(caller('org-00'), incident.id, { orgIds: ['org-03'] }));
    await measure('edit (PATCH)', () => service.edit(caller('org-00'), incident.id, { severity: 'critical' }, undefined));
    await measure('status update', () => service.postUpdate(caller('org-01'), incident.id, { summary: 'identified', phase: 'identified', nextUpdateInMinutes: 30 }));
    await measure('link (related)', () => service.link(caller('org-01'), incident.id, { incidentId: other.id, relation: 'related' }));
    await measure('unlink', () => service.unlink(caller('org-01'), incident.id, other.id));
    await measure('link (duplicate, resolves)', () => service.link(caller('org-01'), duplicate.id, { incidentId: incident.id, relation: 'duplicate' }));
    await measure('resolve', () => service.resolve(caller('org-01'), incident.id, 'done'));
    await measure('reopen', () => service.reopen(caller('org-01'), incident.id, 'back'));
    section('requestsPerCommand', 'DynamoDB requests per command (target: one write per lifecycle command, one read for a get)', perCommand);
  }

  // Latency and throughput: through the use cases (what a handler calls) and through HTTP.
  const server = createLocalServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (key: string, path: string, body: unknown) => fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const rows: Array<Record<string, unknown>> = [];
  for (const concurrency of want('lifecycle') ? [1, 16] : []) {
    const n = QUICK ? 40 : concurrency === 1 ? 100 : 400;
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
  if (want('lifecycle')) section('lifecycle', 'Lifecycle throughput and latency', rows);
  await new Promise((done) => { server.close(done); server.closeAllConnections(); });

  if (want('overhead', 'handlerSteps')) await overhead(services, counted, caller, input);
  if (want('fanOut')) await fanOut(services, caller, input, orgs, outbox);
}

type Services = Awaited<ReturnType<typeof container>>;

/**
 * acknowledge three ways, interleaved, each sample on a fresh incident: the bare requests of the
 * very same shape — the GetItem and TransactWriteItems the use case sent for another incident,
 * captured and replayed with this incident's id, so the items, their sizes and their conditions are
 * the same —, the use case, and the whole Lambda path (an API Gateway proxy event with the
 * authorizer's context through middy, validation, the use case and the JSON response); then where
 * the handler's extra time goes.
 */
async function overhead(services: Services, counted: ReturnType<typeof countedClient>, caller: (o: string) => Caller, input: Parameters<Services['incidents']['report']>[1]) {
  const runs = QUICK ? 30 : 150;
  const { GetCommand, TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  // The template: what acknowledge sends, seen on the client it is given.
  const template = await services.incidents.report(caller('org-00'), input);
  const warm = await services.incidents.report(caller('org-00'), input);
  const { makeIncidents } = await import('../lambdas/domain/incident-service');
  const { DynamoIncidentRepository } = await import('../lambdas/adapters/dynamodb/incident-repository');
  const { DynamoDirectoryRepository } = await import('../lambdas/adapters/dynamodb/directory-repository');
  const { COMMIT_CLOCK_KEY } = await import('../lambdas/adapters/dynamodb/keys');
  const { ulidGenerator, systemClock } = await import('../lambdas/shared/ids');
  const tableName = process.env[ENV.tableName]!;
  const watched = makeIncidents({ incidents: new DynamoIncidentRepository(counted, tableName), directory: new DynamoDirectoryRepository(counted, tableName), audit: new DynamoAuditLog(counted, { tableName }), clock: systemClock, ids: ulidGenerator(systemClock) });
  // One write before the captured one, so the capture is of a repository in use.
  await watched.acknowledge(caller('org-01'), warm.incident.id, {});
  const captured: Array<{ command: string; input: unknown }> = [];
  const send = counted.send.bind(counted);
  (counted as { send: unknown }).send = (command: { constructor: { name: string }; input: unknown }, ...rest: unknown[]) => {
    captured.push({ command: command.constructor.name, input: structuredClone(command.input) });
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  };
  await watched.acknowledge(caller('org-01'), template.incident.id, {});
  (counted as { send: unknown }).send = send;
  const get = captured.find((c) => c.command === 'GetCommand')!;
  const write = captured.find((c) => c.command === 'TransactWriteCommand')!;
  if (!get || !write || captured.length !== 2) throw new Error(`acknowledge sent ${captured.map((c) => c.command).join(', ')}, not one GetItem and one TransactWriteItems`);
  /** The clock's time now (read before a replay, untimed): a replay takes a later one, as acknowledge would. */
  const clockNow = async () => String((await counted.send(new GetCommand({ TableName: tableName, Key: COMMIT_CLOCK_KEY, ConsistentRead: true }))).Item?.at);
  const replay = (id: string, clock: string) => {
    const swap = <T>(x: T): T => JSON.parse(JSON.stringify(x).replaceAll(template.incident.id, id)) as T;
    const input = swap(write.input) as { TransactItems: Array<{ Put?: { Item: Record<string, unknown>; ExpressionAttributeValues?: Record<string, unknown> } }> };
    for (const item of input.TransactItems) {
      if (item.Put?.Item.PK !== COMMIT_CLOCK_KEY.PK || item.Put.Item.SK !== COMMIT_CLOCK_KEY.SK) continue;
      const at = new Date(Math.max(Date.parse(clock) + 1, Date.now())).toISOString();
      item.Put.Item.at = at;
      item.Put.ExpressionAttributeValues = { ...item.Put.ExpressionAttributeValues, ':at': at };
    }
    return { get: new GetCommand(swap(get.input) as never), write: new TransactWriteCommand(input as never), items: input.TransactItems.length };
  };

  const event = (id: string): APIGatewayProxyEvent => ({
    httpMethod: 'POST', path: `/v1/incidents/${id}/acknowledge`, resource: '/v1/incidents/{id}/acknowledge', pathParameters: { id },
    headers: { 'content-type': 'application/json', authorization: 'Bearer (checked by the authorizer)' }, multiValueHeaders: {},
    queryStringParameters: null, multiValueQueryStringParameters: null, stageVariables: null, isBase64Encoded: false, body: '{}',
    requestContext: { requestId: `bench-${id}`, authorizer: { orgId: 'org-01', role: 'partner', keyId: 'bench' } } as never,
  });
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never;
  const bareSamples: number[] = [];
  const useCase: number[] = [];
  const handler: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [a, b, c] = [await services.incidents.report(caller('org-00'), input), await services.incidents.report(caller('org-00'), input), await services.incidents.report(caller('org-00'), input)];
    const r = replay(a.incident.id, await clockNow());
    let t = performance.now();
    await counted.send(r.get);
    await counted.send(r.write);
    bareSamples.push(performance.now() - t);
    t = performance.now();
    await services.incidents.acknowledge(caller('org-01'), b.incident.id, {});
    useCase.push(performance.now() - t);
    t = performance.now();
    const reply = await acknowledgeHandler(event(c.incident.id), context);
    handler.push(performance.now() - t);
    if (reply.statusCode !== 200) throw new Error(`acknowledge through the handler answered ${reply.statusCode}: ${reply.body}`);
  }
  const bare = summarize(bareSamples);
  const items = replay(template.incident.id, await clockNow()).items;
  const u = summarize(useCase);
  const h = summarize(handler);
  const ratio = (x: number) => +(x / bare.p50).toFixed(2);
  section('overhead', 'acknowledge over a bare GetItem + TransactWriteItems of the same shape (targets: use case ≤ 1.25×, whole Lambda path ≤ 1.15×)', [
    { path: `bare GetItem + TransactWriteItems (${items} items, as acknowledge sends them)`, p50ms: bare.p50, p99ms: bare.p99, ratio: 1 },
    { path: 'use case (incidents.acknowledge)', p50ms: u.p50, p99ms: u.p99, ratio: ratio(u.p50) },
    { path: 'Lambda handler (API Gateway event → middy → validation → use case → JSON)', p50ms: h.p50, p99ms: h.p99, ratio: ratio(h.p50) },
  ]);

  // Where the handler's time beyond the use case goes: each step alone, many times, in microseconds.
  const micro = (fn: () => unknown) => { const n = 20_000; for (let i = 0; i < 1000; i++) fn(); const t = performance.now(); for (let i = 0; i < n; i++) fn(); return +(((performance.now() - t) / n) * 1000).toFixed(1); };
  const shown = await services.incidents.get(caller('org-01'), template.incident.id);
  const ev = event(template.incident.id);
  section('handlerSteps', 'The handler\'s own steps, each alone (µs per call)', [
    { step: 'validation: authorizer context, JSON body, schema, query and path (parseInput)', micros: micro(() => parseInput(ev, ROUTES.acknowledgeIncident)) },
    { step: 'JSON response: the incident serialized with its headers (json)', micros: micro(() => json(200, shown)) },
    { step: 'problem mapping: a 409 rendered as problem+json (toProblem)', micros: micro(() => toProblem(new ConflictError('The incident is already resolved.', 'resolved'), 'r')) },
    { step: 'handler total minus use case, p50 (ms)', micros: +((h.p50 - u.p50) * 1000).toFixed(0) },
  ]);
}

/** One report to 10 and to 50 other organizations, notified through the notifier (local publisher). */
async function fanOut(services: Services, caller: (o: string) => Caller, input: Parameters<Services['incidents']['report']>[1], orgs: string[], outbox: LocalOutbox) {
  const { notifier } = await notifications();
  const rows: Array<Record<string, unknown>> = [];
  for (const width of [10, 50]) {
    const samples: number[] = [];
    let messages = 0;
    for (let i = 0; i < (QUICK ? 3 : 7); i++) {
      const fan = await services.incidents.report(caller('org-00'), { ...input, participants: orgs.slice(1, width + 1) });
      const { events } = await services.incidents.timeline(caller('org-00'), fan.incident.id);
      const t = performance.now();
      await notifier.notify(fan.incident.id, events[0]!);
      samples.push(performance.now() - t);
      messages = outbox.messages.filter((m) => m.incidentId === fan.incident.id).length;
    }
    const s = summarize(samples);
    rows.push({ organizations: width, messages, p50ms: s.p50, maxMs: Math.max(...samples).toFixed(1) });
  }
  section('fanOut', 'Fan-out: one report\'s notifications published and recorded (local publisher; target ≤ 200 ms for 50 organizations)', rows);
}

main().catch((err) => { console.error(err); process.exit(1); });
