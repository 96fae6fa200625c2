/** The Events API (PagerDuty, CloudWatch): bundled only by the two ingest functions. */
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-limiter';
import { makeSnsVerifier } from '../adapters/sns/message-verifier';
import { container } from './incidents';
import { derived } from './adapters';
import { makeEventsApi } from '../integrations/pagerduty';

export const ingest = derived(async ({ config, db, clock, incidentRepository }) => ({
  events: makeEventsApi({
    incidents: (await container()).incidents,
    repository: incidentRepository,
    limiter: new DynamoRateLimiter(db, config.tableName, clock),
    eventsPerMinute: config.eventsPerMinute,
  }),
  snsMessages: makeSnsVerifier(),
}));
