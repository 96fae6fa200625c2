/**
 * Test harness: a fresh table on the run's DynamoDB Local, the test directory loaded, and the
 * local server on a free port, exactly as `npm start` serves it.
 */
import { DynamoDBClient, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ENV } from '../../lambdas/config/env';
import { container, resetContainer, type Container, type Overrides } from '../../lambdas/wiring/incidents';
import { handler as notify } from '../../lambdas/handlers/notify-from-stream';
import { handler as aggregateMetrics } from '../../lambdas/handlers/aggregate-metrics';
import { STREAM_CONSUMERS } from '../../lambdas/adapters/dynamodb/stream-consumers';
import { handler as correlate } from '../../lambdas/handlers/correlate-from-stream';
import { LocalOutbox } from '../../local/outbox';
import { localRoutes } from '../../local/local-routes';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller';
import type { DirectoryFile } from '../../lambdas/domain/directory-file';
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import type { Role } from '../../lambdas/domain/actor';
import { createLocalServer, type LocalServerOptions } from '../../local/server';
import { ensureTable } from '../../local/table';

export const endpoint = () => {
  const e = process.env.CONCORD_TEST_DYNAMODB_ENDPOINT;
  if (!e) throw new Error('CONCORD_TEST_DYNAMODB_ENDPOINT is not set: run through jest (test/support/engine-environment.ts starts a DynamoDB Local for each file outside test/unit).');
  return e;
};

const key = (org: string, role: Role) => `test-${org}-${role}-key-0123456789abcdef`;

export const ORGS = ['fbi', 'cisa', 'facebook', 'google', 'twitter', 'odni'] as const;
export type OrgId = (typeof ORGS)[number];

export const KEYS = {
  partner: Object.fromEntries(ORGS.map((o) => [o, key(o, 'partner')])) as Record<OrgId, string>,
  manager: { cisa: key('cisa', 'manager'), odni: key('odni', 'manager') },
  admin: key('cisa', 'admin'),
};

export const TEST_DIRECTORY: DirectoryFile = {
  organizations: ORGS.map((id) => ({
    id,
    name: id.toUpperCase(),
    kind: ['facebook', 'google', 'twitter'].includes(id) ? 'company' as const : 'agency' as const,
    // Every duty contact is cleared for TLP:RED except ODNI's, whose organization then shows what
    // happens to RED without one (a notification_failed, never a message to everyone).
    contacts: [{ name: `${id} duty`, email: `duty@${id}.example`, phone: `+1202555${String(ORGS.indexOf(id)).padStart(4, '0')}`, ...(id === 'odni' ? {} : { red: true }) }],
    keys: [
      { role: 'partner' as const, key: KEYS.partner[id] },
      ...(id === 'cisa' ? [{ role: 'manager' as const, key: KEYS.manager.cisa }, { role: 'admin' as const, key: KEYS.admin }] : []),
      ...(id === 'odni' ? [{ role: 'manager' as const, key: KEYS.manager.odni }] : []),
    ],
  })),
};

/** Creates a table of its own and points the process's handlers at it. */
export async function useFreshTable(overrides: Overrides = {}): Promise<{ tableName: string; services: Container; outbox: LocalOutbox; drop(): Promise<void> }> {
  const tableName = `concord-test-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({ endpoint: endpoint() });
  await ensureTable(client, tableName);
  process.env[ENV.tableName] = tableName;
  process.env[ENV.dynamodbEndpoint] = endpoint();
  const outbox = new LocalOutbox();
  resetContainer({ publisher: outbox, provisioner: outbox, ...overrides });
  const services = await container();
  await (await directoryFiles()).load(TEST_DIRECTORY);
  return {
    tableName,
    services,
    outbox,
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      client.destroy();
    },
  };
}

export interface Reply<T = any> { status: number; headers: Headers; body: T; text: string }

export interface TestApi {
  url: string;
  tableName: string;
  services: Container;
  outbox: LocalOutbox;
  call<T = any>(apiKey: string | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  stop(): Promise<void>;
}

export interface TestApiOptions extends LocalServerOptions {
  overrides?: Overrides;
  /** Run the stream poller, so commands notify as they do under `npm start`. */
  notifications?: boolean;
  /** Run the metrics aggregator on the stream, as `npm start` does. */
  metrics?: boolean;
  /** Run the correlation on the stream, as `npm start` does. */
  correlation?: boolean;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const table = await useFreshTable(options.overrides);
  const server: Server = createLocalServer({ fallback: localRoutes(table.outbox), ...options });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pollers: StreamPoller[] = [];
  // CONCORD_TEST_STREAM_POLL_MS slows the pollers, as a loaded CI machine does, to find tests that
  // race the stream (docs/testing.md).
  const intervalMs = Number(process.env.CONCORD_TEST_STREAM_POLL_MS ?? 50);
  if (options.notifications) pollers.push(await startStreamPoller({ endpoint: endpoint(), tableName: table.tableName, handler: notify, consumer: STREAM_CONSUMERS.notifier, intervalMs }));
  if (options.metrics) pollers.push(await startStreamPoller({ endpoint: endpoint(), tableName: table.tableName, handler: aggregateMetrics, consumer: STREAM_CONSUMERS.aggregator, intervalMs }));
  if (options.correlation) pollers.push(await startStreamPoller({ endpoint: endpoint(), tableName: table.tableName, handler: correlate, consumer: STREAM_CONSUMERS.correlator, intervalMs }));
  return {
    url,
    tableName: table.tableName,
    services: table.services,
    outbox: table.outbox,
    async call(apiKey, method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, init);
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed as any, text };
    },
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
      await table.drop();
    },
  };
}

export const report = (overrides: Record<string, unknown> = {}) => ({
  title: 'Coordinated false claims about polling place closures',
  severity: 'critical',
  category: 'misinformation',
  ...overrides,
});

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
