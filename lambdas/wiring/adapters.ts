/**
 * The adapters every function shares, built once per cold start from the environment: config, the
 * DynamoDB document client and repositories, and the clock. Use cases are wired on top
 * (incidents.ts and the other ./*.ts), each module importing only what its functions need, which
 * keeps every bundle small and its cold start short (the SNS client is in ./sns.ts, for the
 * functions that publish).
 */
import { DynamoAuditLog } from '../adapters/dynamodb/audit-log';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { DynamoDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { DynamoIncidentRepository } from '../adapters/dynamodb/incident-repository';
import { DynamoObservableIndex } from '../adapters/dynamodb/observable-index';
import { readConfig, type Config } from '../config/env';
import { systemClock } from '../shared/ids';
import type { NotificationPublisher, Clock, IssuerTrust, OrganizationProvisioner } from '../domain/ports';

/** What the local server and tests put in place of AWS. */
export interface Overrides {
  clock?: Clock;
  publisher?: NotificationPublisher;
  provisioner?: OrganizationProvisioner;
  /** Waits between retries (tests pass a no-op). */
  pause?: (attempt: number) => Promise<void>;
  /** Issuers trusted without a directory entry: the local identity provider of `npm start`. */
  localTrust?: (issuer: string) => IssuerTrust[];
  /** Sees the DynamoDB client once it is made (fault injection in tests). */
  onDynamoDbClient?: (client: ReturnType<typeof createDocumentClient>) => void;
}

/** Runs `make` once, on first call; a failure is not cached. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make().catch((err) => { value = undefined; throw err; }));
}

/**
 * The SDK's attempts per request against the embedded engine (its backoff doubles from 100 ms):
 * beside a whole test run the one shared engine answered the soak's commands with 500s for
 * seconds on end, which 6 attempts did not outlast.
 */
const LOCAL_ENGINE_ATTEMPTS = 10;

/**
 * In AWS, how long one attempt of a DynamoDB request may wait: to connect, and for the socket to
 * say anything. DynamoDB answers in milliseconds; a connection silent for 1.5 s is lost on the way,
 * and the SDK gives it up and tries again on a new one (a TimeoutError is retried; a transaction
 * carries its ClientRequestToken, so one that was applied is not applied twice). Its 3 attempts
 * and their backoff stay inside an HTTP function's 10 s, which then answers 503 rather than leaving
 * the gateway to time out. Without it the SDK waits on a silent socket until the function is killed
 * (its handler only warns past `requestTimeout` unless told to throw). `CONCORD_DYNAMODB_ATTEMPT_TIMEOUT_MS`
 * sets `requestTimeout`: the bundle harness gives its shared DynamoDB Local, slow under a whole
 * test run, 30 s.
 */
export const DYNAMODB_ATTEMPT_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true } as const;

export function buildAdapters(config: Config, overrides: Overrides = {}) {
  // The embedded engine (npm start, the tests) is one process every function and test shares: under
  // a whole test run it answers some requests late or with a 500 that a few more of the SDK's
  // backed-off retries outlast, and it may take seconds to answer: no timeout there. In AWS the
  // SDK's default (3 attempts) stands, each attempt bounded.
  const db = createDocumentClient(config.dynamodbEndpoint
    ? { endpoint: config.dynamodbEndpoint, maxAttempts: LOCAL_ENGINE_ATTEMPTS }
    : { requestHandler: { ...DYNAMODB_ATTEMPT_TIMEOUTS, requestTimeout: config.dynamodbAttemptTimeoutMs ?? DYNAMODB_ATTEMPT_TIMEOUTS.requestTimeout } });
  overrides.onDynamoDbClient?.(db);
  return {
    config,
    overrides,
    clock: overrides.clock ?? systemClock,
    db,
    incidentRepository: new DynamoIncidentRepository(db, config.tableName, { retentionDays: config.auditRetentionDays, shards: config.writeShards }),
    directoryRepository: new DynamoDirectoryRepository(db, config.tableName),
    auditLog: new DynamoAuditLog(db, { tableName: config.tableName, retentionDays: config.auditRetentionDays, shards: config.writeShards }),
    observableIndex: new DynamoObservableIndex(db, config.tableName),
  };
}


export type Adapters = ReturnType<typeof buildAdapters>;

let current: Adapters | undefined;
let overrides: Overrides = {};
const resetHooks: Array<() => void> = [];

export function adapters(): Adapters {
  current ??= buildAdapters(readConfig(), overrides);
  return current;
}

/** For tests and the local server: replace what AWS provides, and rebuild everything on next use. */
export function resetAdapters(next: Overrides = {}): void {
  overrides = next;
  current = undefined;
  for (const reset of resetHooks) reset();
}

/** Wiring built on the adapters: built on first use, rebuilt after a reset. */
export function derived<T>(build: (a: Adapters) => T | Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  resetHooks.push(() => { value = undefined; });
  return () => (value ??= Promise.resolve().then(() => build(adapters())).catch((err) => { value = undefined; throw err; }));
}
