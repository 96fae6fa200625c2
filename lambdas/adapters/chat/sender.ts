/**
 * The chat services behind domain/ports.ts ChatSender: Slack through its own Web API client
 * (`@slack/web-api`, pointed at npm start's stand-in in local mode) and Teams workflow webhooks
 * through fetch. Refusals become ChatErrors the notifier understands: Slack's 429 (with its
 * Retry-After), 5xx and network failures are `retry`; a channel the app cannot reach (or a token
 * Slack no longer takes) is `unreachable`; anything else `failed`.
 */
import type { ErrorCode, WebAPICallError, WebClient } from '@slack/web-api';
import { ChatError, type ChatView } from '../../domain/chat';
import type { ChatMarker, ChatSender, SlackTarget } from '../../domain/ports';
import { METADATA_TYPE, replyMessage, rootMessage, type SlackMessage } from '../../integrations/slack';
import { teamsMessage } from '../../integrations/teams';
import type { SlackCredentialsOf } from './slack-credentials';

/** Slack errors that say the channel (or the app's place in it) is wrong: an admin must act. */
export const UNREACHABLE = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'team_access_not_granted', 'restricted_action']);

/**
 * @slack/web-api's error codes, spelled here: the client itself (with axios and form-data, most of
 * the bundle) is imported when a function first posts to Slack, not at every cold start.
 */
const SLACK_ERRORS = {
  RequestError: 'slack_webapi_request_error', HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error', RateLimitedError: 'slack_webapi_rate_limited_error',
} as const satisfies Partial<Record<keyof typeof ErrorCode, `${ErrorCode}`>>;

export function slackError(err: unknown): ChatError {
  const e = err as Partial<WebAPICallError> & { retryAfter?: number; statusCode?: number; data?: { error?: string } };
  if (e.code === SLACK_ERRORS.RateLimitedError) return new ChatError('Slack answered 429 (rate limited)', 'retry', typeof e.retryAfter === 'number' ? e.retryAfter : undefined);
  if (e.code === SLACK_ERRORS.PlatformError) {
    const code = String(e.data?.error ?? 'unknown_error');
    if (UNREACHABLE.has(code)) return new ChatError(`Slack: ${code}`, 'unreachable');
    if (code === 'ratelimited' || code === 'internal_error' || code === 'fatal_error' || code === 'service_unavailable') return new ChatError(`Slack: ${code}`, 'retry');
    return new ChatError(`Slack: ${code}`, 'failed');
  }
  if (e.code === SLACK_ERRORS.RequestError) return new ChatError('Slack could not be reached', 'retry');
  if (e.code === SLACK_ERRORS.HTTPError) return new ChatError(`Slack answered HTTP ${e.statusCode ?? '?'}`, (e.statusCode ?? 500) >= 500 ? 'retry' : 'failed');
  return new ChatError(`Slack: ${(err as Error)?.message ?? 'failed'}`.slice(0, 300), 'failed');
}

const withMetadata = (message: SlackMessage, marker: ChatMarker): SlackMessage => ({
  ...message,
  metadata: { event_type: METADATA_TYPE, event_payload: { incidentId: marker.incidentId, ...(marker.seq !== undefined ? { seq: marker.seq } : {}) } },
});

const carries = (m: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }, marker: ChatMarker) =>
  m.metadata?.event_type === METADATA_TYPE && m.metadata.event_payload?.incidentId === marker.incidentId
  && (marker.seq === undefined ? m.metadata.event_payload?.seq === undefined : Number(m.metadata.event_payload?.seq) === marker.seq);

export interface SenderOptions {
  credentials: SlackCredentialsOf;
  /** Slack's Web API base URL (ends with `/`). @default https://slack.com/api/ */
  slackApiUrl?: string;
  fetch?: typeof fetch;
  /** Per request (ms): a slow service costs a delivery at most this a try. @default 5000 */
  timeoutMs?: number;
}

export function makeChatSender({ credentials, slackApiUrl, fetch: doFetch = fetch, timeoutMs = 5_000 }: SenderOptions): ChatSender {
  const clients = new Map<string, WebClient>();

  async function client(orgId: string): Promise<WebClient> {
    let creds: Awaited<ReturnType<SlackCredentialsOf>>;
    try {
      creds = await credentials(orgId);
    } catch {
      // Secrets Manager throttled, or refused: tried again, then recorded for a replay (never the stream's forever).
      throw new ChatError(`the Slack secret of ${orgId} could not be read`, 'retry');
    }
    if (!creds) throw new ChatError(`no Slack credentials for ${orgId} (its secret is missing)`, 'unreachable');
    let c = clients.get(creds.botToken);
    if (!c) {
      // The notifier retries (with Slack's Retry-After) itself: the client answers at once.
      const slack = await import('@slack/web-api');
      c = new slack.WebClient(creds.botToken, { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs, logLevel: slack.LogLevel.ERROR });
      clients.set(creds.botToken, c);
    }
    return c;
  }

  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw err instanceof ChatError ? err : slackError(err);
    }
  };

  return {
    async slackPost(target: SlackTarget, view: ChatView, part: 'root' | 'reply', marker: ChatMarker, threadTs?: string): Promise<string> {
      const web = await client(target.orgId);
      const message = withMetadata(part === 'root' || view.kind === 'red' ? rootMessage(view) : replyMessage(view), marker);
      const answer = await call(() => web.chat.postMessage({ channel: target.channel, ...message, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false } as never));
      if (typeof answer.ts !== 'string') throw new ChatError('Slack answered chat.postMessage without a ts', 'failed');
      return answer.ts;
    },

    async slackUpdate(target: SlackTarget, ts: string, view: ChatView): Promise<void> {
      const web = await client(target.orgId);
      const message = rootMessage(view);
      // An update without `blocks` or `attachments` keeps the old ones: send both, the unused one empty.
      await call(() => web.chat.update({ channel: target.channel, ts, text: message.text, blocks: message.blocks ?? [], attachments: message.attachments ?? [] } as never));
    },

    async slackFind(target: SlackTarget, marker: ChatMarker, threadTs?: string): Promise<string | null> {
      const web = await client(target.orgId);
      const answer = await call(() => (threadTs
        ? web.conversations.replies({ channel: target.channel, ts: threadTs, include_all_metadata: true, limit: 200 })
        : web.conversations.history({ channel: target.channel, include_all_metadata: true, limit: 100 })));
      const found = (answer.messages ?? []).find((m) => carries(m as never, marker) && (!threadTs || m.ts !== threadTs));
      return found?.ts ?? null;
    },

    async teamsPost(webhookUrl: string, view: ChatView): Promise<void> {
      let response: Response;
      try {
        response = await doFetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsMessage(view)), redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        throw new ChatError('the Teams webhook could not be reached', 'retry');
      }
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return;
      const after = Number(response.headers.get('retry-after'));
      if (response.status === 429 || response.status >= 500) throw new ChatError(`the Teams webhook answered ${response.status}`, 'retry', Number.isFinite(after) && after >= 0 && response.headers.has('retry-after') ? after : undefined);
      if (response.status === 404 || response.status === 410 || response.status === 401 || response.status === 403) throw new ChatError(`the Teams webhook answered ${response.status}`, 'unreachable');
      throw new ChatError(`the Teams webhook answered ${response.status}`, 'failed');
    },
  };
}
