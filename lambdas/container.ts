/**
 * Wiring: the one place that builds adapters from configuration and hands them to the use cases.
 * Built once per cold start (SDK clients outside the handler) and shared by every invocation.
 * The local server swaps in local stand-ins for what AWS does around the service (overrides).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { createDocumentClient } from './adapters/dynamodb/client';
import { DynamoDirectoryRepository } from './adapters/dynamodb/directory-repository';
import { DynamoIncidentRepository } from './adapters/dynamodb/incident-repository';
import { DynamoMetricsStore } from './adapters/dynamodb/metrics-store';
import { DynamoRateLimiter } from './adapters/dynamodb/rate-limiter';
import { loadSigningSecret } from './adapters/secrets';
import { render } from './adapters/sns/messages';
import { makeSnsVerifier } from './adapters/sns/message-verifier';
import { SnsProvisioner } from './adapters/sns/provisioner';
import { SnsPublisher } from './adapters/sns/publisher';
import { readConfig, type Config } from './config/env';
import { makeAckTokens } from './domain/ack-tokens';
import { makeDirectory } from './domain/directory';
import { DEFAULT_ESCALATION, type EscalationPolicy } from './domain/escalation';
import { makeEventsApi } from './domain/events-api';
import { systemClock, ulidGenerator } from './domain/ids';
import { makeIncidents } from './domain/incidents';
import { makeMetrics } from './domain/metrics';
import { makeNotifier, type NotificationPublisher } from './domain/notifications';
import type { Clock, OrganizationProvisioner } from './domain/ports';
import { makeSmsAcknowledgements } from './domain/sms-acknowledgements';
import { makeCursorCodec } from './http/cursor';

export interface Overrides {
  clock?: Clock;
  publisher?: NotificationPublisher;
  provisioner?: OrganizationProvisioner;
  /** Waits between retries (tests pass a no-op). */
  pause?: (attempt: number) => Promise<void>;
}

function escalationPolicy(config: Config): EscalationPolicy {
  return { ...DEFAULT_ESCALATION, afterSeconds: { ...DEFAULT_ESCALATION.afterSeconds, ...config.escalationSeconds } };
}

export async function buildContainer(config: Config, overrides: Overrides = {}) {
  const clock = overrides.clock ?? systemClock;
  const db = createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {});
  const incidentRepository = new DynamoIncidentRepository(db, config.tableName);
  const directoryRepository = new DynamoDirectoryRepository(db, config.tableName);
  const secret = await loadSigningSecret(config);
  let sns: SNSClient | undefined;
  const snsClient = () => (sns ??= new SNSClient({}));
  const publisher = overrides.publisher ?? new SnsPublisher(snsClient(), config.topicArnPrefix ?? requireSetting('CONCORD_TOPIC_ARN_PREFIX'));
  const provisioner = overrides.provisioner ?? new SnsProvisioner(snsClient(), config.topicPrefix, config.topicKmsKey);
  const incidents = makeIncidents({
    incidents: incidentRepository, directory: directoryRepository, clock, ids: ulidGenerator(clock),
    escalation: escalationPolicy(config), pause: overrides.pause,
  });
  const ackTokens = makeAckTokens(secret, clock);
  const baseUrl = (config.publicBaseUrl ?? 'http://localhost:3000').replace(/\/$/, '');
  return {
    config,
    incidents,
    directory: makeDirectory({ directory: directoryRepository, provisioner, clock }),
    events: makeEventsApi({
      incidents,
      repository: incidentRepository,
      limiter: new DynamoRateLimiter(db, config.tableName, clock),
      eventsPerMinute: config.eventsPerMinute,
    }),
    notifier: makeNotifier({
      incidents, repository: incidentRepository, deliveries: incidentRepository, directory: directoryRepository,
      publisher, render, clock, pause: overrides.pause,
      links: { link: (incidentId, orgId, contact) => `${baseUrl}/v1/ack/${ackTokens.sign(incidentId, orgId, contact)}` },
    }),
    metrics: makeMetrics({
      store: new DynamoMetricsStore(db, config.tableName, clock),
      incidents: incidentRepository,
      organizations: async () => (await directoryRepository.listOrganizations()).map((o) => o.id),
    }),
    sms: makeSmsAcknowledgements({ incidents, repository: incidentRepository, directory: directoryRepository, publisher }),
    ackTokens,
    cursors: makeCursorCodec(secret),
    snsMessages: makeSnsVerifier(),
  };
}

function requireSetting(name: string): never {
  throw new Error(`Invalid configuration: ${name} is required to publish notifications`);
}

export type Container = Awaited<ReturnType<typeof buildContainer>>;

let current: Promise<Container> | undefined;
let overrides: Overrides = {};

/** The process-wide container, built on first use from `process.env`. */
export function container(): Promise<Container> {
  current ??= buildContainer(readConfig(), overrides).catch((err) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** For tests and the local server: replace adapters and drop the cached container. */
export function resetContainer(next: Overrides = {}): void {
  overrides = next;
  current = undefined;
}
