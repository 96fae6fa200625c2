/** Notifications and SMS acknowledgements: bundled only by the functions that use them. */
import { DynamoAttemptLimiter } from '../adapters/dynamodb/attempt-limiter';
import { DynamoDeliveryLog } from '../adapters/dynamodb/delivery-log';
import { render } from '../adapters/sns/messages';
import { container } from './incidents';
import { ackTokens } from './ack-tokens';
import { ENV, required } from '../config/env';
import { derived } from './adapters';
import { publisher as publishers } from './publisher';
import { makeNotifier } from '../domain/notifications';
import { makeSmsAcknowledgements } from '../domain/sms-acknowledgements';
import { makePager } from '../domain/oncall/pager';
import { makeShiftNotices } from '../domain/oncall/shift-notices';
import { renderShiftNotice } from '../adapters/sns/shift-notice';
import { DynamoOnCallRepository, DynamoPagingStore } from '../adapters/dynamodb/oncall-repository';

export const notifications = derived(async ({ config, overrides, clock, db, incidentRepository, directoryRepository }) => {
  const { incidents } = await container();
  const publisher = await publishers();
  const baseUrl = required(config, 'publicBaseUrl', ENV.publicBaseUrl);
  return {
    notifier: makeNotifier({
      incidents, repository: incidentRepository, deliveries: new DynamoDeliveryLog(db, config.tableName), directory: directoryRepository,
      publisher, render, clock, pause: overrides.pause,
      pager: makePager({ oncall: new DynamoOnCallRepository(db, config.tableName), store: new DynamoPagingStore(db, config.tableName) }),
      links: { link: async (incidentId, orgId, contact) => `${baseUrl}/v1/ack/${(await ackTokens()).sign(incidentId, orgId, contact)}` },
    }),
    shiftNotices: makeShiftNotices({
      oncall: new DynamoOnCallRepository(db, config.tableName), directory: directoryRepository, incidents: incidentRepository, publisher, render: renderShiftNotice, clock,
    }),
  };
});

/** Apart from the notifier, so the functions that only notify do not bundle SMS parsing. */
export const smsAcknowledgements = /* @__PURE__ */ derived(async ({ config, clock, db, incidentRepository, directoryRepository }) => {
  const { incidents } = await container();
  const publisher = await publishers();
  return makeSmsAcknowledgements({ incidents, repository: incidentRepository, directory: directoryRepository, publisher, attempts: new DynamoAttemptLimiter(db, config.tableName, clock) });
});
