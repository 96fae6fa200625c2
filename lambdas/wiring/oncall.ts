/** On call: schedules, shifts, feeds and escalation policies, on the shared adapters. */
import { DynamoOnCallRepository } from '../adapters/dynamodb/oncall-repository';
import { isTimeZone } from '../domain/contact-ids';
import { makeOnCall } from '../domain/oncall/service';
import { derived } from './adapters';
import { signingSecret } from './secrets';

export const onCallRepository = derived(({ config, db }) => new DynamoOnCallRepository(db, config.tableName));

export const onCall = derived(async ({ clock, directoryRepository }) =>
  makeOnCall({ repository: await onCallRepository(), directory: directoryRepository, clock, secret: signingSecret, isZone: isTimeZone }));
