/**
 * Chat: an organization's Slack and Microsoft Teams channels, and what each may be shown.
 *
 * What reaches a chat service is decided here, before any renderer sees it: `chatView` gives a
 * RED incident's renderers nothing but the fixed line and the link (TLP 2.0: RED is for named
 * people, never a channel), so no Block Kit or Adaptive Card code can leak what it never held.
 * Every other label goes to the channels of the incident's participants only (chat-notifier.ts).
 */
import { createHash } from 'node:crypto';
import type { Incident, TimelineEvent } from './incident';

export type ChatChannel =
  | { kind: 'slack'; channel: string; team: string }
  | { kind: 'teams'; webhookUrl: string };

export interface ChatSettings { channels: ChatChannel[] }

/**
 * A channel's stable name in storage: `slack.<team>.<channel>`, or `teams.<first 24 hex of the
 * URL's SHA-256>` — a Teams webhook URL is itself a credential (its `sig`), so it is never a key.
 */
export function channelKey(channel: ChatChannel): string {
  return channel.kind === 'slack'
    ? `slack.${channel.team}.${channel.channel}`
    : `teams.${createHash('sha256').update(channel.webhookUrl).digest('hex').slice(0, 24)}`;
}

export const sameChat = (a: ChatSettings | undefined, b: ChatSettings | undefined) =>
  JSON.stringify((a?.channels ?? []).map(channelKey)) === JSON.stringify((b?.channels ?? []).map(channelKey));

/** A channel as answers show it: a Teams URL without its query (where the signature is). */
export function shownChannel(channel: ChatChannel): ChatChannel {
  if (channel.kind === 'slack') return channel;
  const url = new URL(channel.webhookUrl);
  return { kind: 'teams', webhookUrl: `${url.origin}${url.pathname}${url.search ? '?…' : ''}` };
}

/** An organization as answers show it: its Teams URLs without their query. */
export const withChatShown = <T extends { chat?: ChatSettings }>(org: T): T => (org.chat ? { ...org, chat: { channels: org.chat.channels.map(shownChannel) } } : org);

/** The timeline events that change what a channel shows. Notifications, escalations and links do not. */
export const CHAT_EVENTS: ReadonlySet<string> = new Set(['reported', 'acknowledged', 'assigned', 'resolved', 'note', 'participants_added', 'reopened', 'status_update', 'updated']);

/** Events posted as thread replies on Slack (and as their own card on Teams). */
export const REPLY_EVENTS: ReadonlySet<string> = new Set(['note', 'status_update']);

/** The only text of a RED incident any chat service receives. */
export const redLine = (orgName: string) => `A TLP:RED incident needs ${orgName}: open Concord`;

/** Where a person opens the incident in the app (the link every message carries). */
export const openUrl = (baseUrl: string, incidentId: string) => `${baseUrl}/app#/incidents/${encodeURIComponent(incidentId)}`;

/** What a RED incident's message is made of: the fixed line and the link, nothing else. */
export interface RedView { kind: 'red'; text: string; url: string }

/** What any other incident's message is made of. */
export interface FullView {
  kind: 'full';
  incidentId: string;
  title: string;
  severity: Incident['severity'];
  tlp: Incident['tlp'];
  status: Incident['status'];
  participants: string[];
  acknowledgedBy: string[];
  ackCode: string | null;
  url: string;
  /** The signed acknowledgement link (Teams); absent once resolved. */
  ackUrl?: string;
  /** What this event adds, in a line (Teams cards, Slack replies). */
  event: { type: string; seq: number; at: string; by: string; text?: string };
}

export type ChatView = RedView | FullView;

const actorName = (e: TimelineEvent) => (e.actor.by ? `${e.actor.by} (${e.actor.orgId})` : e.actor.orgId);

/** The text an event adds: a note's text, a status update's summary, a resolution, a reassignment. */
function eventText(e: TimelineEvent): string | undefined {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  switch (e.type) {
    case 'note': return str(d.text);
    case 'status_update': return str(d.summary);
    case 'resolved': return str(d.resolution);
    case 'reopened': return str(d.reason);
    case 'assigned': {
      const a = (d.assignee ?? {}) as Record<string, unknown>;
      return str(a.responder) ? `${str(a.responder)} (${str(a.orgId) ?? ''})` : str(a.orgId);
    }
    default: return undefined;
  }
}

/**
 * The view of `incident` for `orgName`'s channels: RED gives the fixed line and the link only,
 * whatever the event; anything else the incident's state and the event.
 */
export function chatView(input: { incident: Incident; ackCode: string | null; event: TimelineEvent; orgName: string; baseUrl: string; ackUrl?: string }): ChatView {
  const { incident, event } = input;
  const url = openUrl(input.baseUrl, incident.id);
  if (incident.tlp === 'RED') return { kind: 'red', text: redLine(input.orgName), url };
  return {
    kind: 'full',
    incidentId: incident.id,
    title: incident.title,
    severity: incident.severity,
    tlp: incident.tlp,
    status: incident.status,
    participants: [...incident.participants],
    acknowledgedBy: incident.acknowledgements.map((a) => a.orgId),
    ackCode: incident.status === 'resolved' ? null : input.ackCode,
    url,
    ...(input.ackUrl && incident.status !== 'resolved' ? { ackUrl: input.ackUrl } : {}),
    event: { type: event.type, seq: event.seq, at: event.at, by: actorName(event), ...(eventText(event) ? { text: eventText(event) } : {}) },
  };
}

/**
 * A chat service's refusal: `retry` (Slack's 429, a 5xx, the network) is tried again after
 * `retryAfterSeconds` when the service said so; `unreachable` (Slack's `channel_not_found`,
 * `not_in_channel`, `is_archived`, a Teams webhook that is gone) is reported to the organization's
 * admins and not retried; `failed` is anything else, recorded for a replay.
 */
export class ChatError extends Error {
  constructor(message: string, readonly kind: 'retry' | 'unreachable' | 'failed', readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'ChatError';
  }
}

/** What a Slack command or button asks for, once its signature is verified (integrations/slack.ts parses it). */
export type ChatRequest =
  | { kind: 'ack-code'; code: string; team: string; user: string }
  | { kind: 'ack-incident'; incidentId: string; team: string; user: string }
  | { kind: 'open'; team: string; user: string }
  | { kind: 'help'; team: string; user: string };
