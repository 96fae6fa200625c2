/**
 * `npm start`: the whole service on this machine. Starts the embedded engine (unless
 * CONCORD_DYNAMODB_ENDPOINT names one), creates the table, loads the directory, serves the API.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Server } from 'node:http';
import * as z from 'zod';
import { ENV } from '../lambdas/config/env';
import { container, resetContainer, type Overrides } from '../lambdas/wiring/incidents';
import type { DirectoryFile, DirectoryLoader, DirectoryPlan } from '../lambdas/domain/directory-file';
import { directoryFiles } from '../lambdas/wiring/directory-file';
import { DirectoryFileSchema } from '../lambdas/http/directory-file-schema';
import { fieldErrors } from '../lambdas/http/request';
import { freePort, makePrivateDir, startEmbeddedEngine, useLocalCredentials, type EmbeddedEngine } from './dynamodb-local';
import { handler as escalate } from '../lambdas/handlers/escalate-incidents';
import { handler as aggregateMetrics } from '../lambdas/handlers/aggregate-metrics';
import { STREAM_CONSUMERS } from '../lambdas/adapters/dynamodb/stream-consumers';
import { handler as notify } from '../lambdas/handlers/notify-from-stream';
import { handler as correlate } from '../lambdas/handlers/correlate-from-stream';
import { APP_CLIENT_ID, RESOURCE, startLocalIdentityProvider, type LocalIdentityProvider } from './identity-provider';
import { APP_ENV } from '../lambdas/config/app-env';
import { localRoutes } from './local-routes';
import { LocalSlack, SLACK_API_PATH, firstOf } from './slack-stand-in';
import { LocalOutbox } from './outbox';
import { createLocalServer } from './server';
import { startStreamPoller, type StreamPoller } from './stream-poller';
import { ensureTable } from './table';
import { PARSE } from '../lambdas/http/parse-options';

export const DEMO_DIRECTORY = join(__dirname, 'demo-directory.json');
export const TABLE_NAME = 'concord';

const Settings = z.object({
  PORT: z.coerce.number<string>().int().min(0).max(65535).default(3000),
  CONCORD_DATA_DIR: z.string().min(1).default('.concord/data'),
  CONCORD_DIRECTORY: z.string().min(1).optional(),
  CONCORD_DYNAMODB_ENDPOINT: z.url().optional(),
  CONCORD_ESCALATION_INTERVAL_MS: z.coerce.number<string>().int().min(100).default(60_000),
});
export type Settings = z.output<typeof Settings>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = Settings.safeParse(env, PARSE);
  if (!parsed.success) throw new Error(`Invalid setting: ${fieldErrors(parsed.error, 'environment').map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.data;
}

export function readDirectoryFile(path: string): DirectoryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the directory file ${path}: ${(err as Error).message}`);
  }
  const parsed = DirectoryFileSchema.safeParse(raw, PARSE);
  if (!parsed.success) {
    throw new Error(`The directory file ${path} is not valid:\n${fieldErrors(parsed.error, 'file').map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** How often a stream consumer without a batching window (the notifier) reads the stream. */
const POLL_MS = 100;

const ids = (items: Array<{ keyId: string } | string>) => items.map((i) => (typeof i === 'string' ? i : i.keyId)).join(', ');

/** What loading a directory file did (`start`) or would do (`reload`), one line per kind of change. */
export function describePlan(plan: DirectoryPlan, mode: 'start' | 'reload'): string[] {
  const lines: string[] = [];
  const did = (start: string, reload: string) => (mode === 'start' ? start : reload);
  if (plan.createOrganizations.length) lines.push(`${did('created', 'would create')} organizations: ${ids(plan.createOrganizations)}`);
  if (plan.reclaimedOrganizations.length) lines.push(`${did('replaced', 'would replace')} with the file's version (another organization's admin had created them through the API): ${ids(plan.reclaimedOrganizations)}`);
  if (plan.addKeys.length) lines.push(`${did('added', 'would add')} keys: ${ids(plan.addKeys)}`);
  if (plan.removedKeys.length) lines.push(`${did('revoked', 'would revoke')} keys the file no longer lists: ${ids(plan.removedKeys)}`);
  if (plan.changedOrganizations.length) {
    lines.push(mode === 'start'
      ? `kept as changed through the API (the file differs): ${ids(plan.changedOrganizations)}; to replace them with the file's: npm run load-directory -- --local <file> --apply`
      : `would replace with the file's version: ${ids(plan.changedOrganizations)}`);
  }
  if (plan.revokedKeys.length) lines.push(`not revived (revoked; issue new keys instead): ${ids(plan.revokedKeys)}`);
  for (const k of plan.conflictingKeys) lines.push(`kept as stored: key ${k.keyId} listed for ${k.orgId}, but ${k.detail}`);
  return lines;
}

/** The directory use cases on npm start's data folder, for scripts (the server must be stopped). */
export async function localDirectory(dataDir: string): Promise<{ service: DirectoryLoader; close(): Promise<void> }> {
  useLocalCredentials();
  const engine = await startEmbeddedEngine(dataDir);
  await useLocalTable(engine.endpoint);
  return { service: await directoryFiles(), close: () => engine.stop() };
}

/**
 * Points this process's handlers at the local table (created if missing), with the local outbox
 * standing in for SNS: every notification as each protocol would get it (GET /local/outbox).
 */
async function useLocalTable(endpoint: string, localTrust?: Overrides['localTrust']): Promise<{ table: 'created' | 'existing'; outbox: LocalOutbox }> {
  const client = new DynamoDBClient({ endpoint });
  const table = await ensureTable(client, TABLE_NAME);
  client.destroy();
  process.env[ENV.tableName] = TABLE_NAME;
  process.env[ENV.dynamodbEndpoint] = endpoint;
  const outbox = new LocalOutbox();
  resetContainer({ publisher: outbox, provisioner: outbox, localTrust });
  return { table, outbox };
}

/**
 * The secret that signs cursors and acknowledgement links, kept in the private data folder (0600 in
 * 0700). A secret file that is not a plain file of this user's, readable by this user only, is
 * refused: anyone who could plant or read it could forge links.
 */
export function signingSecret(dataDir: string): string {
  if (dataDir === ':memory:') return randomBytes(32).toString('hex');
  const dir = resolve(dataDir);
  makePrivateDir(dir);
  const file = join(dir, 'signing-secret');
  if (existsSync(file)) return readPrivateSecret(file);
  // Earlier versions kept it beside the data folder: keep using it (links already sent stay valid), if it is private.
  const legacy = join(dirname(dir), 'signing-secret');
  const secret = existsSync(legacy) && isPrivateFile(legacy) ? readFileSync(legacy, 'utf8').trim() : randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

function isPrivateFile(file: string): boolean {
  const stat = lstatSync(file);
  return stat.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
}

function readPrivateSecret(file: string): string {
  if (!isPrivateFile(file)) throw new Error(`Refusing the signing secret ${file}: it must be a plain file of this user's, readable by this user only (chmod 600), or absent (a new one is made).`);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`Refusing the signing secret ${file}: it is shorter than 32 characters.`);
  return secret;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => { server.off('error', fail); done(); });
  });
}

export interface RunningConcord {
  url: string;
  server: Server;
  directory: DirectoryFile;
  outbox: LocalOutbox;
  idp: LocalIdentityProvider;
  /** The Slack Web API stand-in (GET /local/slack/calls). */
  slack: LocalSlack;
  stop(): Promise<void>;
}

export async function startConcord(settings: Settings, log: (line: string) => void = () => {}): Promise<RunningConcord> {
  useLocalCredentials();
  // npm start is local mode: its identity provider and its pushes' receivers are on loopback.
  // Nothing else sets it (a deployed stage refuses loopback issuers and endpoints).
  process.env[ENV.localMode] = 'true';
  // A bad directory file is reported before anything starts.
  const directoryPath = settings.CONCORD_DIRECTORY ? resolve(settings.CONCORD_DIRECTORY) : DEMO_DIRECTORY;
  const directory = readDirectoryFile(directoryPath);
  let engine: EmbeddedEngine | undefined;
  let endpoint = settings.CONCORD_DYNAMODB_ENDPOINT;
  if (!endpoint) {
    log(`Starting DynamoDB Local (data: ${settings.CONCORD_DATA_DIR === ':memory:' ? 'in memory' : resolve(settings.CONCORD_DATA_DIR)})…`);
    engine = await startEmbeddedEngine(settings.CONCORD_DATA_DIR);
    endpoint = engine.endpoint;
  }
  let server: Server | undefined;
  const pollers: StreamPoller[] = [];
  let escalation: NodeJS.Timeout | undefined;
  try {
    // The port is fixed first, so acknowledgement links can name it before anything is served.
    const port = settings.PORT === 0 ? await freePort() : settings.PORT;
    const url = `http://localhost:${port}`;
    process.env[ENV.signingSecret] ??= signingSecret(settings.CONCORD_DATA_DIR);
    process.env[ENV.publicBaseUrl] ??= url;
    // Slack: its Web API is the stand-in below; every organization's signing secret is one value
    // (printed in the banner), and bot tokens, when an organization has one, are in the data folder.
    process.env[ENV.slackApiUrl] ??= `${url}${SLACK_API_PATH}`;
    if (!process.env[ENV.slackSigningSecret]) {
      process.env[ENV.slackSigningSecret] = randomBytes(24).toString('hex');
      log(`Slack signing secret of every organization (local; set CONCORD_SLACK_SIGNING_SECRET to choose it): ${process.env[ENV.slackSigningSecret]}`);
    }
    if (settings.CONCORD_DATA_DIR !== ':memory:') process.env[ENV.slackDir] ??= join(resolve(settings.CONCORD_DATA_DIR), 'slack');
    // The local identity provider signs in the file's people; their organizations trust it.
    const idp = await startLocalIdentityProvider(url, directory.people ?? []);
    // The responders' app (/app) signs people in there: GET /app/config.json says so.
    process.env[APP_ENV.issuer] ??= idp.issuer;
    process.env[APP_ENV.clientId] ??= APP_CLIENT_ID;
    process.env[APP_ENV.resource] ??= RESOURCE;
    process.env[APP_ENV.scope] ??= 'openid profile api';
    const { table, outbox } = await useLocalTable(endpoint, idp.trust);
    log(`Table ${TABLE_NAME} ${table === 'created' ? 'created' : 'already there'} at ${endpoint}.`);

    // The directory is in place before the first request can arrive. The file seeds: what the
    // API changed since (revocations, contacts) is kept; see describePlan.
    const plan = await (await directoryFiles()).load(directory);
    // The outbox stands in for SNS, whose topics and subscriptions outlive a restart: hold them again.
    for (const org of await (await container()).directory.listOrganizations()) await outbox.provision(org);
    log(`Directory ${settings.CONCORD_DIRECTORY ? directoryPath : '(demo)'}: ${directory.organizations.length} organizations, ${directory.organizations.reduce((n, o) => n + (o.keys?.length ?? 0), 0)} keys in the file.`);
    for (const line of describePlan(plan, 'start')) log(`  ${line}`);

    // What Lambda's three stream event sources and the escalation schedule do in AWS.
    for (const [name, handler, consumer] of [['notifier', notify, STREAM_CONSUMERS.notifier], ['metrics', aggregateMetrics, STREAM_CONSUMERS.aggregator], ['correlation', correlate, STREAM_CONSUMERS.correlator]] as const) {
      pollers.push(await startStreamPoller({
        endpoint, tableName: TABLE_NAME, handler, consumer, intervalMs: Math.max(POLL_MS, consumer.batchingWindowMs),
        onError: (err) => log(`${name} stream poller: ${(err as Error).message}`),
      }));
    }
    escalation = setInterval(() => { escalate().catch((err: Error) => log(`escalation: ${err.message}`)); }, settings.CONCORD_ESCALATION_INTERVAL_MS);

    const slack = new LocalSlack();
    const hosting = { fallback: firstOf(localRoutes(outbox, idp), slack.routes()), mounts: [idp.handle] };
    server = createLocalServer(hosting);
    await listen(server, port, '127.0.0.1');
    // localhost may resolve to ::1 first: answer there too, where the machine has IPv6 loopback.
    const server6 = createLocalServer(hosting);
    const ipv6 = await listen(server6, port, '::1').then(() => true, () => false);

    const running = server;
    const runningEscalation = escalation;
    return {
      url,
      server: running,
      directory,
      outbox,
      idp,
      slack,
      async stop() {
        clearInterval(runningEscalation);
        await Promise.all(pollers.map((p) => p.stop()));
        await Promise.all([running, ...(ipv6 ? [server6] : [])].map((srv) => new Promise<void>((done) => { srv.close(() => done()); srv.closeAllConnections(); })));
        await engine?.stop();
      },
    };
  } catch (err) {
    clearInterval(escalation);
    await Promise.all(pollers.map((p) => p.stop()));
    server?.close();
    await engine?.stop();
    throw err;
  }
}

function banner(running: RunningConcord, demo: boolean): string {
  const lines = [`Concord is listening on ${running.url}`, ''];
  if (demo) {
    lines.push('Demo keys (local only):');
    for (const org of running.directory.organizations) {
      for (const k of org.keys ?? []) lines.push(`  ${org.id.padEnd(10)} ${k.role.padEnd(8)} ${k.key}`);
    }
    if (running.idp.people.length) {
      lines.push('', `Demo people (local identity provider ${running.idp.issuer}; sign in at ${running.url}/app):`);
      for (const p of running.idp.people) lines.push(`  ${p.orgId.padEnd(10)} ${(p.roles?.join(',') ?? 'partner').padEnd(8)} login ${p.login.padEnd(20)} password ${p.password}   (${p.name})`);
      lines.push(`  A token without a browser (scripts, tests): curl -s ${running.url}/local/token -H 'content-type: application/json' -d '{"login":"fbi.responder"}'`);
    }
    const fb = running.directory.organizations.find((o) => o.id === 'facebook')?.keys?.[0]?.key ?? '<partner key>';
    lines.push('', 'Try it:', `  curl -s ${running.url}/v1/incidents -H 'authorization: Bearer ${fb}' -H 'content-type: application/json' \\`,
      `    -d '{"title":"Coordinated false claims about polling place closures","severity":"critical","category":"misinformation","participants":["fbi","cisa"]}'`);
  }
  lines.push('', `Slack's Web API stand-in: ${running.url}/local/slack/calls lists what Concord sent it (docs/chat.md).`);
  lines.push('', `OpenAPI: ${running.url}/openapi.json    Stop: Ctrl-C`);
  return lines.join('\n');
}

export async function main(): Promise<void> {
  const settings = readSettings();
  const running = await startConcord(settings, (line) => console.log(line));
  console.log(`\n${banner(running, !settings.CONCORD_DIRECTORY)}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    running.stop().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // `npm start` runs us under `sh -c`, which does not pass a signal on: when npm (or the shell) is
  // signalled and exits, we are re-parented. Stop then too, so nothing is left serving.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop('parent process exited'); }, 500).unref();
}
