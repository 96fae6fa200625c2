/**
 * Chat (Slack and Teams): the notifier's second half and the Slack requests' credentials. Only the
 * functions that post to chat or verify Slack's requests bundle this (and are granted the
 * organizations' Slack secrets).
 */
import { DynamoChatLog } from '../adapters/dynamodb/chat-log';
import { makeChatSender } from '../adapters/chat/sender';
import { ENV, required } from '../config/env';
import { makeChatNotifier } from '../domain/chat-notifier';
import { ackTokens } from './ack-tokens';
import { derived } from './adapters';
import { slackSecrets } from './slack-secrets';

export const chatNotifier = derived(async ({ config, overrides, clock, db, incidentRepository, directoryRepository, auditLog }) => {
  const baseUrl = required(config, 'publicBaseUrl', ENV.publicBaseUrl);
  const credentials = await slackSecrets();
  const pause = overrides.pause;
  return makeChatNotifier({
    repository: incidentRepository, directory: directoryRepository, audit: auditLog, clock, baseUrl,
    log: new DynamoChatLog(db, config.tableName),
    sender: makeChatSender({ credentials, slackApiUrl: config.slackApiUrl }),
    ackLink: async (incidentId, orgId) => `${baseUrl}/v1/ack/${(await ackTokens()).sign(incidentId, orgId, 'Microsoft Teams')}`,
    ...(pause ? { pause: (attempt: number) => pause(attempt) } : {}),
  });
});
