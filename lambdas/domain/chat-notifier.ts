/**
 * Posting incidents to chat channels, from the table's stream (the outbox pattern, as notifications.ts):
 * each (event, channel) is delivered once. A delivery is claimed with a lease before anything is
 * sent, and recorded after; a redelivered stream record finds it sent and does nothing.
 *
 * Slack: one message per incident per channel, posted once and then kept current with
 * `chat.update`; notes and status updates are replies in its thread. The message's `ts` is kept
 * per (incident, channel). Between posting and recording the `ts` a run may die: a `posting` mark
 * written before the post makes the next run look the message up (by its metadata) and update it,
 * never post a second one; a reply is looked up the same way when its delivery was tried before.
 * Teams: one card per event through the channel's webhook (a webhook cannot be asked what it has
 * received, so a run that dies after Teams took a card and before recording it sends it again).
 *
 * Only the organization's own channels get its incidents: the channels of each participant, read
 * when the event is delivered. A RED incident gets the fixed line and the link (chat.ts chatView).
 */
import { randomUUID } from 'node:crypto';
import { auditEntry } from './audit-entry';
import { CHAT_EVENTS, REPLY_EVENTS, ChatError, channelKey, chatView, type ChatChannel, type ChatView } from './chat';
import { asToldTo, type IncidentRecord, type TimelineEvent } from './incident';
import type { AuditLog, ChatDelivery, ChatLog, ChatSender, Clock, DirectoryRepository, IncidentRepository, Organization } from './ports';
import { inPool } from '../shared/pool';
import { gatheredIncidents, gatheredOrganizations } from './gathered-reads';

export interface ChatNotifierDeps {
  repository: Pick<IncidentRepository, 'get' | 'getRecords' | 'event'>;
  directory: Pick<DirectoryRepository, 'getOrganizations'>;
  log: ChatLog;
  sender: ChatSender;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  baseUrl: string;
  /** The signed acknowledgement link of an organization (Teams cards carry it). */
  ackLink(incidentId: string, orgId: string): Promise<string>;
  /** Tries for a `retry` refusal. @default 4 */
  attempts?: number;
  /** Waits before try `attempt + 1`: the service's Retry-After when it gave one, else 200 ms doubling. */
  pause?: (attempt: number, retryAfterSeconds?: number) => Promise<void>;
  /** The most Retry-After waited out for one delivery (s, summed over its calls and tries); past it, recorded as failed for a replay. @default 20 */
  maxRetryAfterSeconds?: number;
  claimLeaseMs?: number;
}

const sleep = (attempt: number, retryAfterSeconds?: number) => new Promise<void>((r) => setTimeout(r, retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : 200 * 2 ** (attempt - 1)));

/** Whether a RED incident's fixed line goes to a Teams channel on this event: when the organization is first told, or the label turned RED. */
function announcesRed(event: TimelineEvent, orgId: string): boolean {
  if (event.type === 'reported') return true;
  if (event.type === 'participants_added') return Array.isArray(event.data.orgIds) && event.data.orgIds.includes(orgId);
  if (event.type === 'updated') {
    const tlp = (event.data.changes as Record<string, { to?: unknown }> | undefined)?.tlp;
    return tlp?.to === 'RED';
  }
  return false;
}

export type ChatOutcome = 'sent' | 'failed' | 'skipped';

/** One delivery's time: the Retry-After waits it took (seconds) and when it began (ms). */
interface Budget { waited: number; started: number }

/** A chat delivery another run holds: thrown to the stream, which tries the record again later. */
export class ChatDeliveryHeldError extends Error {
  constructor(d: ChatDelivery) {
    super(`The chat delivery of event ${d.seq} of ${d.incidentId} to ${d.channel} is held by another run; retried when it finishes or its lease ends.`);
    this.name = 'ChatDeliveryHeldError';
  }
}

export function makeChatNotifier(deps: ChatNotifierDeps) {
  const { repository, directory, log, sender, audit, clock } = deps;
  const attempts = deps.attempts ?? 4;
  const pause = deps.pause ?? sleep;
  const maxWait = deps.maxRetryAfterSeconds ?? 20;
  const leaseMs = deps.claimLeaseMs ?? 120_000;
  // Read together with the other events' reads at the same time, each read made after every event
  // it answers asked (gathered-reads.ts): a change committed before an event's posts is seen.
  const incidentOf = gatheredIncidents(repository);
  const organizationsOf = gatheredOrganizations(directory);

  /**
   * `call`, tried again on `retry` refusals (Slack's 429 after its Retry-After). The waits a
   * service asks for add up to at most `maxWait` seconds per delivery (`budget`), so a run stays
   * inside the notifier's timeout; past that the delivery is recorded failed, for a replay.
   */
  async function withRetry<T>(budget: Budget, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof ChatError) || err.kind !== 'retry' || attempt >= attempts) throw err;
        // Time spent on the tries themselves counts too: a channel that keeps timing out holds up
        // the stream (every organization's pages behind it) for at most `maxWait` seconds.
        if ((clock.now().getTime() - budget.started) / 1000 >= maxWait) {
          throw new ChatError(`${err.message} (for ${maxWait} s: recorded for a replay)`, 'failed');
        }
        if (err.retryAfterSeconds !== undefined && budget.waited + err.retryAfterSeconds > maxWait) {
          throw new ChatError(`${err.message} (asked to wait ${err.retryAfterSeconds} s more: recorded for a replay)`, 'failed');
        }
        budget.waited += err.retryAfterSeconds ?? 0;
        await pause(attempt, err.retryAfterSeconds);
      }
    }
  }

  async function toSlack(record: IncidentRecord, event: TimelineEvent, channel: Extract<ChatChannel, { kind: 'slack' }>, org: Organization, view: ChatView, tried: number, budget: Budget): Promise<void> {
    const { incident } = record;
    const key = channelKey(channel);
    const target = { orgId: org.id, team: channel.team, channel: channel.channel };
    const red = view.kind === 'red';
    const thread = await log.thread(incident.id, key);
    let ts = thread?.ts;
    if (!ts) {
      // A run that died after posting left the mark: find its message instead of posting another.
      if (thread?.posting) ts = (await withRetry(budget, () => sender.slackFind(target, { incidentId: incident.id }))) ?? undefined;
      if (ts) {
        await withRetry(budget, () => sender.slackUpdate(target, ts!, view));
      } else {
        await log.saveThread(incident.id, key, { posting: true });
        ts = await withRetry(budget, () => sender.slackPost(target, view, 'root', { incidentId: incident.id }));
      }
      await log.saveThread(incident.id, key, { ts, red });
    } else if (!red || !thread?.red) {
      // RED's fixed line is never edited again (an edit would tell the channel the incident moved).
      await withRetry(budget, () => sender.slackUpdate(target, ts!, view));
      if (Boolean(thread?.red) !== red) await log.saveThread(incident.id, key, { ts, red });
    }
    if (view.kind === 'full' && REPLY_EVENTS.has(event.type)) {
      const marker = { incidentId: incident.id, seq: event.seq };
      const posted = tried > 0 ? await withRetry(budget, () => sender.slackFind(target, marker, ts)) : null;
      if (!posted) await withRetry(budget, () => sender.slackPost(target, view, 'reply', marker, ts));
    }
  }

  async function toTeams(event: TimelineEvent, channel: Extract<ChatChannel, { kind: 'teams' }>, org: Organization, view: ChatView, budget: Budget): Promise<void> {
    if (view.kind === 'red' && !announcesRed(event, org.id)) return;
    await withRetry(budget, () => sender.teamsPost(channel.webhookUrl, view));
  }

  /** Reports a channel that refuses Concord's messages to the organization's admins (their audit trail). */
  async function report(record: IncidentRecord, org: Organization, channel: ChatChannel, err: ChatError): Promise<void> {
    const where = channel.kind === 'slack' ? `Slack channel ${channel.channel} of workspace ${channel.team}` : 'a Teams workflow webhook';
    const detail = `${where} refused the incident's message (${err.message}); nothing more is sent there for this event. Invite the Concord app to the channel or correct PUT /v1/organizations/${org.id}/chat, then replay (POST /v1/notifications/replay).`;
    await audit.append([auditEntry({ actor: { orgId: org.id, by: 'notifier', via: 'api' }, requestId: `chat-${record.incident.id}` }, 'chat.undeliverable', clock.now().toISOString(), 'denied', { incident: record.incident }, detail)]);
  }

  async function deliver(record: IncidentRecord, told: TimelineEvent, org: Organization, channel: ChatChannel, replay: boolean): Promise<ChatOutcome> {
    const { incident } = record;
    const event = await asToldTo(org.id, told, incidentOf);
    const delivery: ChatDelivery = { incidentId: incident.id, seq: event.seq, orgId: org.id, channel: channelKey(channel) };
    const owner = randomUUID();
    const claim = await log.claim(delivery, owner, clock.now(), leaseMs, replay);
    if (claim === 'done') return 'skipped';
    // Another run holds it (a replay, or a run that timed out): the stream tries the record again
    // once that run is done or its lease has ended; a replay leaves it to that run.
    if (claim === 'held') {
      if (replay) return 'skipped';
      throw new ChatDeliveryHeldError(delivery);
    }
    try {
      const ackUrl = channel.kind === 'teams' && incident.tlp !== 'RED' && incident.status !== 'resolved' ? await deps.ackLink(incident.id, org.id) : undefined;
      const view = chatView({ incident, ackCode: record.ackCode, event, orgName: org.name, baseUrl: deps.baseUrl, ackUrl });
      const budget: Budget = { waited: 0, started: clock.now().getTime() };
      if (channel.kind === 'slack') await toSlack(record, event, channel, org, view, claim.attempts, budget);
      else await toTeams(event, channel, org, view, budget);
      await log.finish(delivery, owner, { status: 'sent' });
      return 'sent';
    } catch (err) {
      if (!(err instanceof ChatError)) {
        // A crash (storage, a bug): the stream tries the record again, from a clean claim.
        await log.release(delivery, owner).catch(() => undefined);
        throw err;
      }
      await log.finish(delivery, owner, { status: 'failed', error: err.message.slice(0, 500) });
      if (err.kind === 'unreachable') await report(record, org, channel, err);
      return 'failed';
    }
  }

  /** Every channel of every participant, for one event. */
  async function deliverEvent(record: IncidentRecord, event: TimelineEvent, replay: boolean, only?: ChatDelivery): Promise<ChatOutcome[]> {
    const orgs = (await organizationsOf(only ? [only.orgId] : record.incident.participants)).values();
    const work: Array<{ org: Organization; channel: ChatChannel }> = [];
    for (const org of orgs) {
      if (!record.incident.participants.includes(org.id)) continue;
      for (const channel of org.chat?.channels ?? []) {
        if (!only || channelKey(channel) === only.channel) work.push({ org, channel });
      }
    }
    const outcomes: ChatOutcome[] = [];
    let crash: unknown;
    await inPool(work, 5, async ({ org, channel }) => {
      try {
        outcomes.push(await deliver(record, event, org, channel, replay));
      } catch (err) {
        crash ??= err;
      }
    });
    if (crash !== undefined) throw crash;
    return outcomes;
  }

  return {
    /** Posts what `event` changes to every channel concerned. Safe to run again for the same event. */
    async notify(incidentId: string, event: TimelineEvent): Promise<ChatOutcome[]> {
      if (!CHAT_EVENTS.has(event.type)) return [];
      const record = await incidentOf(incidentId);
      if (!record) return [];
      return deliverEvent(record, event, false);
    },

    /** Delivers again what failed (or was left by a run that died); each is sent once. */
    async replayFailed(limit = 100): Promise<{ replayed: number; failed: number }> {
      let replayed = 0;
      let failed = 0;
      for (const d of await log.failed(limit)) {
        const record = await repository.get(d.incidentId);
        const event = record && await repository.event(d.incidentId, d.seq);
        if (!record || !event) continue;
        for (const outcome of await deliverEvent(record, event, true, d)) {
          if (outcome === 'sent') replayed++;
          else if (outcome === 'failed') failed++;
        }
      }
      return { replayed, failed };
    },
  };
}

export type ChatNotifier = ReturnType<typeof makeChatNotifier>;
