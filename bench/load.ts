/**
 * Election night, end to end, on the local stack: the HTTP server with every handler, the stream
 * pollers running the notifier and the metrics aggregator (1 or 4 concurrent batches per shard, as
 * Lambda's ParallelizationFactor), and the in-memory SNS outbox. Reports arrive at a steady rate
 * (open loop: one every 1/rate s, whether or not the last has answered), each naming 10
 * participants whose contacts have phones. Measured: the commands' latency, the time from sending a
 * report to its first SMS in the outbox, the stream's lag (report answered → the notifier sees its
 * record), the aggregator's transactions and how many were cancelled by a conflict, and that
 * nothing was lost or doubled: one message per organization told (the 10 participants and the
 * reporter) per stored report, every stored report folded into the metrics once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../lambdas/config/env';
import { handler as notify } from '../lambdas/handlers/notify-from-stream';
import { handler as aggregateMetrics } from '../lambdas/handlers/aggregate-metrics';
import { resetContainer } from '../lambdas/wiring/incidents';
import { directoryFiles } from '../lambdas/wiring/directory-file';
import { DynamoMetricsStore } from '../lambdas/adapters/dynamodb/metrics-store';
import { STREAM_CONSUMERS } from '../lambdas/adapters/dynamodb/stream-consumers';
import { insertedTimelineEvent } from '../lambdas/adapters/dynamodb/stream-records';
import { APPLIED_PREFIX } from '../lambdas/adapters/dynamodb/keys';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client';
import { SHARED } from '../lambdas/domain/metrics/contributions';
import { LocalOutbox } from '../local/outbox';
import { createLocalServer } from '../local/server';
import { startStreamPoller } from '../local/stream-poller';
import { startEmbeddedEngine } from '../local/dynamodb-local';
import { ensureTable } from '../local/table';
import { progress, summarize } from './support';

const ORGS = Array.from({ length: 20 }, (_, i) => `load-${String(i).padStart(2, '0')}`);
const keyOf = (org: string) => `bench-${org}-partner-key-0000000000`;

/** The ids of every incident in the table (a Scan: the bench's own bookkeeping, not a query the service makes). */
async function storedIncidents(endpoint: string, tableName: string): Promise<Set<string>> {
  const db = createDocumentClient({ endpoint });
  const ids = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, FilterExpression: 'entity = :e', ExpressionAttributeValues: { ':e': 'incident' }, ProjectionExpression: 'id', ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) ids.add(String(item.id));
    start = page.LastEvaluatedKey;
  } while (start);
  db.destroy();
  return ids;
}

/**
 * The engine's pace on this machine at this hour, before the run: report-sized transactions (15
 * items) one after another on a table of their own, for a second. The machine's speed varies by
 * hour (bench/README.md), and at 10 reports a second the local stack is near what the engine
 * takes: a run's figures read with this one.
 */
async function probeEngine(endpoint: string): Promise<number> {
  const raw = new DynamoDBClient({ endpoint });
  await ensureTable(raw, 'bench-load-probe', { stream: false });
  raw.destroy();
  const db = createDocumentClient({ endpoint });
  const transaction = (n: number) => new TransactWriteCommand({
    TransactItems: Array.from({ length: 15 }, (_, k) => ({ Put: { TableName: 'bench-load-probe', Item: { PK: `PROBE#${n}`, SK: String(k), body: 'x'.repeat(300) }, ConditionExpression: 'attribute_not_exists(PK)' } })),
  });
  for (let n = 0; n < 50; n++) await db.send(transaction(-1 - n));
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) await db.send(transaction(n++));
  db.destroy();
  return Math.round(n / ((performance.now() - started) / 1000));
}

/** How long the end of a run waits for the stream consumers to finish their batch. */
const STOP_WAIT_MS = 30_000;

export interface LoadRun {
  reportsPerSecond: number; consumers: number; seconds: number;
  /** false: no metrics aggregator on the stream (a diagnostic: what the pages cost alone, on an engine they need not share). */
  aggregator?: boolean;
}

/** Which part of the stack a request comes from: the HTTP handlers, unless a stream consumer runs it. */
const part = new AsyncLocalStorage<'notifier' | 'aggregator'>();
type Tally = { transactions: number; cancelled: number; requests: Map<string, number>; durations: Map<string, number[]> };

/**
 * Every request of the functions' own client, by part and operation; and the aggregator's
 * transactions, and those a conflict cancelled.
 */
function countRequests(client: DynamoDBDocumentClient, tally: Tally) {
  client.middlewareStack.add((next, context) => async (args) => {
    const key = `${part.getStore() ?? 'http'} ${String(context.commandName).replace(/Command$/, '')}`;
    tally.requests.set(key, (tally.requests.get(key) ?? 0) + 1);
    const t0 = performance.now();
    const timed = async () => {
      try { return await next(args); } finally { (tally.durations.get(key) ?? tally.durations.set(key, []).get(key)!).push(performance.now() - t0); }
    };
    const items = (args.input as { TransactItems?: Array<{ Put?: { Item?: Record<string, unknown> } }> }).TransactItems;
    // The key as given, or already marshalled ({ S: … }) by the document client.
    const pk = items?.[0]?.Put?.Item?.PK as string | { S?: string } | undefined;
    const aggregating = String(context.commandName).startsWith('TransactWrite') && String(typeof pk === 'object' ? pk?.S : pk ?? '').startsWith(APPLIED_PREFIX);
    if (!aggregating) return timed();
    tally.transactions++;
    try {
      return await timed();
    } catch (err) {
      if ((err as Error).name === 'TransactionCanceledException') tally.cancelled++;
      throw err;
    }
  }, { step: 'initialize', name: 'countRequests' });
}

/**
 * Each run on an engine of its own, started for it and stopped after it: a run that leaves a
 * backlog (the engine saturated) would otherwise go on loading the engine through the next runs,
 * whose figures would then be of both. `onRun`: each run's row as soon as it is measured (the
 * section's table comes at the end).
 */
export async function benchLoad(runs: LoadRun[], shards: number, onRun: (row: Record<string, unknown>) => void = () => {}) {
  const rows: Array<Record<string, unknown>> = [];
  for (const run of runs) {
    const engine = await startEmbeddedEngine(':memory:');
    const { endpoint } = engine;
    const tableName = `bench-load-${run.reportsPerSecond}-${run.consumers}`;
    const raw = new DynamoDBClient({ endpoint });
    await ensureTable(raw, tableName, { stream: true });
    raw.destroy();
    const engineSpeed = await probeEngine(endpoint);
    process.env[ENV.tableName] = tableName;
    process.env[ENV.dynamodbEndpoint] = endpoint;
    process.env[ENV.signingSecret] = 'bench-signing-secret-0123456789abcdef0123';
    process.env[ENV.publicBaseUrl] = 'http://localhost:3000';
    process.env[ENV.writeShards] = String(shards);
    const outbox = new LocalOutbox();
    const firstSms = new Map<string, number>();
    const publish = outbox.publish.bind(outbox);
    outbox.publish = async (orgId, message, context) => {
      if (context.incidentId && message.sms && !firstSms.has(context.incidentId)) firstSms.set(context.incidentId, performance.now());
      return publish(orgId, message, context);
    };
    const tally: Tally = { transactions: 0, cancelled: 0, requests: new Map(), durations: new Map() };
    resetContainer({ publisher: outbox, provisioner: outbox, onDynamoDbClient: (c) => countRequests(c, tally) });
    await (await directoryFiles()).load({
      organizations: ORGS.map((id) => ({ id, name: id, kind: 'agency', contacts: [{ name: 'duty', email: `duty@${id}.example`, phone: '+12025550100' }], keys: [{ role: 'partner', key: keyOf(id) }] })),
    });

    tally.requests.clear();
    tally.durations.clear();
    // The stream's lag: from a report's answer to the notifier's first sight of its "reported" event
    // (the notifier is given timeline events only, as its filter says in AWS).
    const answered = new Map<string, number>();
    const seen = new Map<string, number>();
    const watchedNotify = async (event: DynamoDBStreamEvent) => {
      const now = performance.now();
      for (const r of event.Records) {
        const inserted = insertedTimelineEvent(r);
        if (inserted?.event.type === 'reported' && !seen.has(inserted.incidentId)) seen.set(inserted.incidentId, now);
      }
      return part.run('notifier', () => notify(event));
    };
    const pollers = [
      // As npm start runs them: each consumer's filter, batch size and batching window (STREAM_CONSUMERS).
      await startStreamPoller({ endpoint, tableName, handler: watchedNotify, consumer: STREAM_CONSUMERS.notifier, intervalMs: 50, parallelization: run.consumers }),
      ...(run.aggregator === false ? [] : [await startStreamPoller({ endpoint, tableName, handler: (event) => part.run('aggregator', () => aggregateMetrics(event)), consumer: STREAM_CONSUMERS.aggregator, intervalMs: STREAM_CONSUMERS.aggregator.batchingWindowMs, parallelization: run.consumers })]),
    ];
    const server = createLocalServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const label = `  ${run.reportsPerSecond} reports/s for ${run.seconds} s, ${run.consumers} consumer${run.consumers > 1 ? 's' : ''}`;
    const bar = progress(label);
    const total = run.reportsPerSecond * run.seconds;
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const failures: number[] = [];
    // How long the process's event loop was held (the server, the handlers, the pollers and the
    // load itself share it, as under npm start): a held loop delays every request at once.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    const windowStart = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / run.reportsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const reporter = ORGS[i % ORGS.length]!;
      const participants = Array.from({ length: 10 }, (_, k) => ORGS[(i + 1 + k) % ORGS.length]!);
      inFlight.push((async () => {
        const t0 = performance.now();
        // A report not answered within API Gateway's 29 s would have failed there: counted as such.
        const res = await fetch(`${url}/v1/incidents`, {
          method: 'POST', headers: { authorization: `Bearer ${keyOf(reporter)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Load ${i}`, severity: 'high', category: 'ddos', participants }),
          signal: AbortSignal.timeout(29_000),
        }).catch(() => null);
        const body = res ? await res.json().catch(() => ({})) as { id?: string } : {};
        const t1 = performance.now();
        latencies.push(t1 - t0);
        if (!res || res.status !== 201 || !body.id) { failures.push(res?.status ?? 0); return; }
        sent.set(body.id, t0);
        answered.set(body.id, t1);
      })());
      if (i % run.reportsPerSecond === 0) bar(i / total);
    }
    bar.done();
    loopDelay.disable();
    const waitFor = progress(`${label}: waiting for the answers, then draining (at most 2 min)`);
    await Promise.all(inFlight);
    // A report whose answer did not come in time may still commit: what counts is what is stored.
    await new Promise((r) => setTimeout(r, 5_000));
    const stored = await storedIncidents(endpoint, tableName);
    // Drain: every report's messages out, every contribution folded (at most two minutes).
    const drainDeadline = performance.now() + 120_000;
    // Each participant and the reporter are told of a report.
    const expectedMessages = stored.size * 11;
    const delivered = () => outbox.messages.filter((m) => m.incidentId && stored.has(m.incidentId)).length;
    while (performance.now() < drainDeadline && delivered() < expectedMessages) await new Promise((r) => setTimeout(r, 200));
    const metricsStore = new DynamoMetricsStore(createDocumentClient({ endpoint }), tableName, { now: () => new Date() }, shards);
    const windowEnd = new Date(Date.now() + 120_000).toISOString();
    let folded = 0;
    while (run.aggregator !== false && performance.now() < drainDeadline) {
      folded = (await metricsStore.read(SHARED, 'all', 'minute', windowStart.slice(0, 17) + '00.000Z', windowEnd)).reported;
      if (folded >= stored.size) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    waitFor.done();
    // Stopped with a bound: a consumer still busy with a backlog finishes its batch on its own, and
    // the next run (on a table of its own) does not wait for it.
    const stopped = await Promise.race([
      Promise.all(pollers.map((p) => p.stop())).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), STOP_WAIT_MS).unref()),
    ]);
    if (!stopped) console.error(`${label}: the stream consumers were still busy ${STOP_WAIT_MS / 1000} s after the drain; going on without them`);
    await new Promise((done) => { server.close(done); server.closeAllConnections(); });
    // Whatever a consumer still had in hand ends with the engine (its requests fail; it has stopped polling).
    await engine.stop();

    const perReport = (n: number) => (stored.size ? +(n / stored.size).toFixed(2) : 0);
    const perPair = new Map<string, number>();
    for (const m of outbox.messages) if (m.incidentId && stored.has(m.incidentId)) perPair.set(`${m.incidentId}|${m.orgId}`, (perPair.get(`${m.incidentId}|${m.orgId}`) ?? 0) + 1);
    const doubled = [...perPair.values()].filter((n) => n > 1).length;
    const missing = expectedMessages - perPair.size;
    const nothingLost = missing === 0 && doubled === 0 && (run.aggregator === false || folded === stored.size);
    const command = summarize(latencies);
    const toSms = summarize([...sent].flatMap(([id, t0]) => (firstSms.has(id) ? [firstSms.get(id)! - t0] : [])));
    const lag = summarize([...answered].flatMap(([id, t1]) => (seen.has(id) ? [Math.max(0, seen.get(id)! - t1)] : [])));
    rows.push({
      reportsPerSecond: run.reportsPerSecond, consumers: run.consumers, aggregator: run.aggregator === false ? 'off' : 'on', seconds: run.seconds,
      // The engine's pace before the run: 15-item transactions a second, one after another (probeEngine).
      engineTransactionsPerSecond: engineSpeed,
      reports: total, created: sent.size,
      refused: failures.length ? [...new Set(failures)].map((status) => `${failures.filter((f) => f === status).length}× ${status || 'no answer in 29 s'}`).join(', ') : 0,
      commandP50ms: command.p50, commandP99ms: command.p99, reportToSmsP50ms: toSms.p50, reportToSmsP99ms: toSms.p99,
      streamLagP50ms: lag.p50, streamLagP99ms: lag.p99,
      // While reports were sent (ms): the event loop's delay beyond its 10 ms sampling.
      eventLoopDelayP99ms: +(loopDelay.percentile(99) / 1e6).toFixed(1), eventLoopDelayMaxMs: +(loopDelay.max / 1e6).toFixed(1),
      aggregatorTransactions: tally.transactions, aggregatorConflicts: tally.cancelled,
      // The service's own DynamoDB requests (not the stream poller's reads) per stored report, by part.
      requestsPerReport: perReport([...tally.requests.values()].reduce((a, b) => a + b, 0)),
      requestsByPart: Object.fromEntries([...tally.requests].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => [key, perReport(n)])),
      // The service's requests that took longest at the 99th percentile (ms), by part and operation: where a tail comes from.
      slowestRequestsP99ms: Object.fromEntries([...tally.durations].map(([key, ds]) => [key, summarize(ds).p99] as const).sort(([, a], [, b]) => b - a).slice(0, 4)),
      consumersStopped: stopped,
      stored: stored.size, messagesMissing: missing, messagesDoubled: doubled, reportsFolded: folded,
      nothingLost: nothingLost ? 'yes' : 'NO',
      target: run.aggregator === false ? '- (diagnostic: no aggregator)' : run.reportsPerSecond === 10 ? `report → SMS p99 ≤ 1000 ms: ${toSms.p99 <= 1000 ? 'met' : 'not met'}` : run.reportsPerSecond === 50 && run.consumers === 4 ? `nothing lost or doubled: ${nothingLost ? 'met' : 'not met'}` : '-',
    });
    onRun(rows.at(-1)!);
  }
  return rows;
}
