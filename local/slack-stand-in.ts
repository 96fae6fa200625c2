/**
 * The local stand-in for Slack's Web API (`npm start` points `@slack/web-api` here through
 * CONCORD_SLACK_API_URL): `POST /local/slack/api/<method>` answers as Slack does for the methods
 * Concord calls (chat.postMessage, chat.update, conversations.history, conversations.replies), and
 * `GET /local/slack/calls` lists every call, oldest first. Channels whose id starts with
 * `CNOTFOUND` answer `channel_not_found`, `CNOTIN` `not_in_channel`, `CLIMITED` a 429 with
 * `Retry-After: 1` on every other call (to see the notifier honour it). Local mode only.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { IncomingMessage } from 'node:http';
import { MethodNotAllowedError } from '../lambdas/http/errors';
import { json } from '../lambdas/http/responses';

export interface SlackCall { method: string; body: Record<string, unknown>; at: string }

interface StoredMessage { ts: string; text?: unknown; blocks?: unknown; attachments?: unknown; metadata?: unknown; thread_ts?: string; type: 'message' }

export const SLACK_API_PATH = '/local/slack/api/';
export const SLACK_CALLS_PATH = '/local/slack/calls';

/** Slack's client sends nested arguments as JSON strings inside a form: read them back as JSON. */
function decodeForm(text: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) {
    try { return JSON.parse(text) as Record<string, unknown>; } catch { return {}; }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (/^[[{]/.test(v)) {
      try { out[k] = JSON.parse(v); continue; } catch { /* kept as text */ }
    }
    out[k] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return out;
}

export class LocalSlack {
  readonly calls: SlackCall[] = [];
  private readonly channels = new Map<string, StoredMessage[]>();
  private clock = 1_700_000_000;
  private limited = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The messages of a channel as stored (root messages and replies), oldest first. */
  messages(channel: string): readonly StoredMessage[] {
    return this.channels.get(channel) ?? [];
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.${String(this.calls.length).padStart(6, '0')}`;
  }

  private answer(method: string, body: Record<string, unknown>, authorized: boolean): { status: number; headers?: Record<string, string>; payload: Record<string, unknown> } {
    if (!authorized) return { status: 200, payload: { ok: false, error: 'not_authed' } };
    const channel = String(body.channel ?? '');
    if (channel.startsWith('CNOTFOUND')) return { status: 200, payload: { ok: false, error: 'channel_not_found' } };
    if (channel.startsWith('CNOTIN')) return { status: 200, payload: { ok: false, error: 'not_in_channel' } };
    if (channel.startsWith('CLIMITED') && this.limited++ % 2 === 0) return { status: 429, headers: { 'retry-after': '1' }, payload: { ok: false, error: 'ratelimited' } };
    const stored = this.channels.get(channel) ?? [];
    switch (method) {
      case 'chat.postMessage': {
        const message: StoredMessage = { type: 'message', ts: this.nextTs(), text: body.text, blocks: body.blocks, attachments: body.attachments, metadata: body.metadata, ...(typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {}) };
        this.channels.set(channel, [...stored, message]);
        return { status: 200, payload: { ok: true, channel, ts: message.ts, message } };
      }
      case 'chat.update': {
        const message = stored.find((m) => m.ts === body.ts);
        if (!message) return { status: 200, payload: { ok: false, error: 'message_not_found' } };
        Object.assign(message, { text: body.text, blocks: body.blocks, attachments: body.attachments });
        return { status: 200, payload: { ok: true, channel, ts: message.ts, text: body.text } };
      }
      case 'conversations.history':
        return { status: 200, payload: { ok: true, messages: stored.filter((m) => !m.thread_ts).reverse().slice(0, Number(body.limit ?? 100)), has_more: false } };
      case 'conversations.replies': {
        const parent = stored.find((m) => m.ts === body.ts);
        if (!parent) return { status: 200, payload: { ok: false, error: 'thread_not_found' } };
        return { status: 200, payload: { ok: true, messages: [parent, ...stored.filter((m) => m.thread_ts === body.ts)], has_more: false } };
      }
      default:
        return { status: 200, payload: { ok: false, error: 'unknown_method' } };
    }
  }

  /** The local server's fallback for `/local/slack/…`; null for any other path. */
  routes() {
    return async (req: IncomingMessage, body: Buffer, url: URL): Promise<APIGatewayProxyResult | null> => {
      const method = (req.method ?? 'GET').toUpperCase();
      if (url.pathname === SLACK_CALLS_PATH) {
        if (method !== 'GET') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['GET']);
        return json(200, { calls: this.calls });
      }
      if (!url.pathname.startsWith(SLACK_API_PATH)) return null;
      if (method !== 'POST') throw new MethodNotAllowedError(`${method} is not allowed here.`, ['POST']);
      const name = url.pathname.slice(SLACK_API_PATH.length);
      const args = decodeForm(body.toString('utf8'), req.headers['content-type']);
      const authorization = req.headers.authorization ?? '';
      const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : typeof args.token === 'string' ? args.token : '';
      // The token is the organization's credential: recorded never, checked for its shape only.
      const { token: _token, ...recorded } = args;
      this.calls.push({ method: name, body: recorded, at: this.now().toISOString() });
      const { status, headers, payload } = this.answer(name, recorded, /^xox[bp]-/.test(token));
      return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(payload) };
    };
  }
}

/** Runs the stand-ins in turn: the first that answers wins. */
export function firstOf(...routes: Array<(req: IncomingMessage, body: Buffer, url: URL) => Promise<APIGatewayProxyResult | null>>) {
  return async (req: IncomingMessage, body: Buffer, url: URL): Promise<APIGatewayProxyResult | null> => {
    for (const r of routes) {
      const answer = await r(req, body, url);
      if (answer) return answer;
    }
    return null;
  };
}
