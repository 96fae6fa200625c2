/** Slack's requests (interactivity, slash commands): the organizations' signing secrets and what the requests do. */
import { ENV, required } from '../config/env';
import { makeChatCommands } from '../domain/chat-commands';
import { derived } from './adapters';
import { slackSecrets } from './slack-secrets';
import { container } from './incidents';

export const slackRequests = derived(async ({ config, clock, incidentRepository, directoryRepository, auditLog }) => {
  const { incidents } = await container();
  return {
    credentials: await slackSecrets(),
    directory: directoryRepository,
    audit: auditLog,
    clock,
    commands: makeChatCommands({ incidents, repository: incidentRepository, baseUrl: required(config, 'publicBaseUrl', ENV.publicBaseUrl) }),
  };
});
