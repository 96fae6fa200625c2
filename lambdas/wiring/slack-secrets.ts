/**
 * The organizations' Slack credentials, one cache per cold start (each secret read once). Apart from
 * wiring/chat.ts so that receive-slack, which only verifies Slack's requests, loads no chat sender.
 */
import { slackCredentials } from '../adapters/chat/slack-credentials';
import { derived } from './adapters';

export const slackSecrets = derived(({ config }) => slackCredentials(config));
