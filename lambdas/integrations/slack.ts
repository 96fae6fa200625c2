/**
 * Slack's edge: the messages (Block Kit, inside one attachment whose bar carries the TLP colour),
 * the request signature of interactivity and slash commands, and their payloads.
 *
 * Limits (Slack's documentation, "Block Kit" and "Reference: blocks"): at most 50 blocks a message,
 * 3,000 characters in a section's text, 2,000 in a context element, 10 fields of 2,000 each, 255 in
 * a button's `value`, 75 in a button's text, 3,000 in a URL. Everything below stays inside them for
 * any incident the API accepts (test/unit/chat-messages.test.ts builds the largest one).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChatRequest, ChatView, FullView, RedView } from '../domain/chat';
import { headerIn } from '../http/request';

export const LIMITS = { blocks: 50, sectionText: 3000, contextText: 2000, field: 2000, fields: 10, buttonValue: 255, buttonText: 75, url: 3000 } as const;

/** TLP 2.0's colours (FIRST, "TLP 2.0 user guide"): the attachment's bar. */
export const TLP_COLOURS = { RED: '#FF2B2B', 'AMBER+STRICT': '#FFC000', AMBER: '#FFC000', GREEN: '#33FF00', CLEAR: '#FFFFFF' } as const;
const TLP_EMOJI = { RED: ':red_circle:', 'AMBER+STRICT': ':large_orange_circle:', AMBER: ':large_orange_circle:', GREEN: ':large_green_circle:', CLEAR: ':white_circle:' } as const;

export const ACK_ACTION = 'concord_ack';
export const OPEN_ACTION = 'concord_open';
export const METADATA_TYPE = 'concord_incident';

export interface SlackMessage {
  /** The notification and screen-reader text. */
  text: string;
  blocks?: unknown[];
  attachments?: Array<{ color: string; fallback: string; blocks: unknown[] }>;
  /** Finds a message again after a crash between posting it and recording its `ts` (chat-notifier.ts). */
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
}

/** Slack's mrkdwn escapes: `&`, `<` and `>` (so outside text cannot make links or mentions). */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cut to `max` characters, never inside a surrogate pair, marked with an ellipsis. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(s[end - 1] ?? '')) end--;
  return `${s.slice(0, end)}…`;
}

/** Escaped, then cut: an escape (`&amp;`) is never split, since the cut happens on escaped text at a boundary. */
function mrkdwn(s: string, max: number): string {
  const escaped = escapeMrkdwn(s);
  if (escaped.length <= max) return escaped;
  let out = cut(escaped, max);
  // An entity cut in half (`&am…`) would show as text: drop the half.
  out = out.replace(/&[a-z]{0,3}…$/, '…');
  return out;
}

const link = (url: string, text: string) => `<${url}|${text}>`;

/** RED: the fixed line with the link, and nothing else (no button, no field, no metadata beyond the link). */
export function redMessage(view: RedView): SlackMessage {
  const line = escapeMrkdwn(view.text);
  const linked = line.replace(/open Concord$/, link(view.url, 'open Concord'));
  return {
    text: `${view.text} ${view.url}`,
    attachments: [{ color: TLP_COLOURS.RED, fallback: `${view.text} ${view.url}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: linked } }] }],
  };
}

const STATUS = { reported: 'Reported', acknowledged: 'Acknowledged', assigned: 'Assigned', resolved: 'Resolved' } as const;

/** The incident's message: posted once per channel, then updated in place. */
export function incidentMessage(view: FullView): SlackMessage {
  const fields = [
    `*Severity*\n${view.severity}`,
    `*TLP*\n${TLP_EMOJI[view.tlp]} TLP:${view.tlp}`,
    `*Status*\n${STATUS[view.status]}`,
    ...(view.ackCode ? [`*Code*\n\`${view.ackCode}\` (\`/concord ack ${view.ackCode}\`)`] : []),
  ].map((text) => ({ type: 'mrkdwn', text }));
  const participants = view.participants.map((p) => (view.acknowledgedBy.includes(p) ? `${p} :white_check_mark:` : p)).join(', ');
  const buttons: unknown[] = [];
  if (view.status !== 'resolved') {
    buttons.push({ type: 'button', action_id: ACK_ACTION, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: view.incidentId });
  }
  buttons.push({ type: 'button', action_id: OPEN_ACTION, text: { type: 'plain_text', text: 'Open in Concord' }, url: view.url });
  const blocks = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${link(view.url, mrkdwn(view.title, LIMITS.sectionText - view.url.length - 10))}*` } },
    { type: 'section', fields },
    { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(`Participants: ${participants}`, LIMITS.contextText) }] },
    { type: 'actions', block_id: 'concord_actions', elements: buttons },
  ];
  // Escaped like the blocks: Slack shows the top-level text and the fallback in notifications, where
  // outside text must make no mention or link either.
  const fallback = mrkdwn(`[${view.severity}] TLP:${view.tlp} ${view.title} (${STATUS[view.status]})`, LIMITS.sectionText);
  return { text: fallback, attachments: [{ color: TLP_COLOURS[view.tlp], fallback, blocks }] };
}

const REPLY_LABEL: Record<string, string> = { note: 'Note', status_update: 'Status update' };

/** A note or status update, as a reply in the incident message's thread. */
export function replyMessage(view: FullView): SlackMessage {
  const head = `*${REPLY_LABEL[view.event.type] ?? view.event.type}* by ${escapeMrkdwn(view.event.by)}`;
  const body = mrkdwn(view.event.text ?? '', LIMITS.sectionText - head.length - 1);
  const text = `${head}\n${body}`;
  return { text: mrkdwn(`${REPLY_LABEL[view.event.type] ?? view.event.type}: ${view.event.text ?? ''}`, LIMITS.sectionText), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The root message of any view. */
export const rootMessage = (view: ChatView): SlackMessage => (view.kind === 'red' ? redMessage(view) : incidentMessage(view));

// ---- requests from Slack ----

/** How old a signed request may be (Slack's own recommendation: five minutes). */
export const SIGNATURE_WINDOW_SECONDS = 300;

/**
 * Whether a request carries Slack's `v0` signature of exactly this raw body, made with `secret`,
 * at a time within five minutes of `nowSeconds`: HMAC-SHA256 over `v0:<timestamp>:<body>`,
 * compared in constant time. Anything missing, malformed, stale or different is false.
 */
export function verifySlackSignature(input: { secret: string; headers: Record<string, string | undefined> | null | undefined; body: string; nowSeconds: number }): boolean {
  const timestamp = headerIn(input.headers, 'x-slack-request-timestamp');
  const signature = headerIn(input.headers, 'x-slack-signature');
  if (!timestamp || !signature || !input.secret) return false;
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(input.nowSeconds - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return false;
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', input.secret).update(`v0:${timestamp}:${input.body}`, 'utf8').digest('hex')}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signs a body as Slack does (tests, and the docs' curl example). */
export const signSlackRequest = (secret: string, timestamp: number, body: string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`;

/** What a slash command or a button asks for. */
export type SlackRequest = ChatRequest;

const nameOf = (...candidates: unknown[]) => {
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  // The name becomes an acknowledgement's `by`: one line, no bidirectional controls, at most 200 characters.
  return cut((found ?? 'Slack user').replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim() || 'Slack user', 200);
};

/** A slash command's form (`command`, `text`, `team_id`, `user_name`, …): `/concord ack <code>`, `/concord open`. */
export function parseCommand(form: URLSearchParams): SlackRequest {
  const team = form.get('team_id') ?? '';
  const user = nameOf(form.get('user_name'), form.get('user_id'));
  const words = (form.get('text') ?? '').trim().split(/\s+/).filter(Boolean);
  const verb = words[0]?.toLowerCase();
  if (verb === 'ack' && words.length >= 2) {
    const code = words.slice(1).join('');
    if (/^\d{4,9}$/.test(code)) return { kind: 'ack-code', code, team, user };
  }
  if (verb === 'open' && words.length === 1) return { kind: 'open', team, user };
  return { kind: 'help', team, user };
}

/** An interaction's form (`payload` = JSON): the Acknowledge button of an incident message. */
export function parseInteraction(form: URLSearchParams): SlackRequest {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(form.get('payload') ?? '') as Record<string, unknown>;
  } catch {
    return { kind: 'help', team: '', user: 'Slack user' };
  }
  // JSON that is not an object (null, a number, a list) is no interaction either.
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { kind: 'help', team: '', user: 'Slack user' };
  const obj = (v: unknown) => (v && typeof v === 'object' ? v as Record<string, unknown> : {});
  const team = String(obj(payload.team).id ?? '');
  const u = obj(payload.user);
  const user = nameOf(u.name, u.username, u.id);
  const actions = Array.isArray(payload.actions) ? payload.actions.map(obj) : [];
  const ack = payload.type === 'block_actions' ? actions.find((a) => a.action_id === ACK_ACTION) : undefined;
  if (ack && typeof ack.value === 'string' && /^inc_[0-9A-Z]{26}$/.test(ack.value)) return { kind: 'ack-incident', incidentId: ack.value, team, user };
  return { kind: 'help', team, user };
}

export const HELP_TEXT = 'Concord: `/concord ack <code>` acknowledges an incident for your organization; `/concord open` lists its open incidents.';

/** Slack's answer to a command or an interaction: seen only by the person who asked. */
export const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text: cut(text, LIMITS.sectionText) });
