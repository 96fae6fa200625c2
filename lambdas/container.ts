/**
 * Wiring: the one place that builds adapters from configuration and hands them to the use cases.
 * Built once per cold start (SDK clients outside the handler) and shared by every invocation.
 */
import { createDocumentClient } from './adapters/dynamodb/client';
import { DynamoDirectoryRepository } from './adapters/dynamodb/directory-repository';
import { DynamoIncidentRepository } from './adapters/dynamodb/incident-repository';
import { DynamoRateLimiter } from './adapters/dynamodb/rate-limiter';
import { loadSigningSecret } from './adapters/secrets';
import { makeSnsVerifier } from './adapters/sns/message-verifier';
import { readConfig, type Config } from './config/env';
import { makeDirectory } from './domain/directory';
import { makeEventsApi } from './domain/events-api';
import { systemClock, ulidGenerator } from './domain/ids';
import { makeIncidents } from './domain/incidents';
import type { Clock, OrganizationProvisioner } from './domain/ports';
import { makeCursorCodec } from './http/cursor';

/** Until the notifications work lands, organizations need nothing provisioned beyond their item. */
const noProvisioning: OrganizationProvisioner = { provision: async () => {} };

export async function buildContainer(config: Config, clock: Clock = systemClock) {
  const db = createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {});
  const incidentRepository = new DynamoIncidentRepository(db, config.tableName);
  const directoryRepository = new DynamoDirectoryRepository(db, config.tableName);
  const secret = await loadSigningSecret(config);
  const incidents = makeIncidents({ incidents: incidentRepository, directory: directoryRepository, clock, ids: ulidGenerator(clock) });
  return {
    config,
    incidents,
    events: makeEventsApi({
      incidents,
      repository: incidentRepository,
      limiter: new DynamoRateLimiter(db, config.tableName, clock),
      eventsPerMinute: config.eventsPerMinute,
    }),
    directory: makeDirectory({ directory: directoryRepository, provisioner: noProvisioning, clock }),
    cursors: makeCursorCodec(secret),
    snsMessages: makeSnsVerifier(),
  };
}

export type Container = Awaited<ReturnType<typeof buildContainer>>;

let current: Promise<Container> | undefined;

/** The process-wide container, built on first use from `process.env`. */
export function container(): Promise<Container> {
  current ??= buildContainer(readConfig()).catch((err) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** For tests and the local server: drop the cached container so the next call rebuilds it. */
export function resetContainer(): void {
  current = undefined;
}
