/**
 * Telling the participating organizations. The notifier runs after a command has committed (it
 * consumes the table's stream: a transactional outbox), so a failed publish never fails, delays or
 * rolls back a command. Each (event, organization) is published at most once: the delivery is
 * recorded, with its `notified` or `notification_failed` timeline event, right after the event's
 * publishes (made with bounded parallelism, recorded in as few transactions as DynamoDB allows), and
 * checked before them. What fails after retries is kept for `replayFailed`.
 */
import { asToldTo, canSee, incidentAsToldTo, recordSystemEvents, mayBeToldTo, type Incident, type IncidentRecord, type TimelineEvent } from './incident';
import { partnerOf, systemActor } from './actor';
import type { IncidentService } from './incident-service';
import type { AckLinkSigner, Audience, ClaimOutcome, Clock, Contact, DeliveryLog, DeliveryRef, DeliveryStatus, DirectoryRepository, IncidentRepository, NotificationPublisher, Organization, PublishContext, Render, RenderedMessage } from './ports';
import { allInOrder, inPool } from '../shared/pool';
import type { KnownPolicies, Pager } from './oncall/pager';
import { advancePaging, type Page } from './oncall/paging';
import { gatheredIncidents, gatheredOrganizations } from './gathered-reads';
import { gathered } from '../shared/gathered';
import { randomUUID } from 'node:crypto';

/** The event types that tell someone something. */
export const NOTIFIABLE = new Set(['reported', 'acknowledged', 'assigned', 'resolved', 'note', 'escalated', 'participants_added', 'reopened', 'status_update', 'update_due', 'correlated']);
/** The event types told by email, the app and pushes but never by SMS: a match is not a page. */
export const NOT_BY_SMS = new Set(['correlated']);

/**
 * A notice about a `correlated` event names the incident matched (`correlatedWith`), so a timeline
 * read hides the notice with the event from whoever may not see that incident.
 */
const matchOf = (event: TimelineEvent) => (event.type === 'correlated' && typeof event.data.incidentId === 'string' ? { correlatedWith: event.data.incidentId } : {});

/**
 * A report tells every participant; acknowledge, assign, resolve, notes, reopen and status updates
 * tell the others; an escalation tells every participant again and the organizations holding
 * manager keys, except where TLP forbids it (RED and AMBER+STRICT never leave the participants).
 * Invited organizations are told as on a report; an overdue update's reminder goes to the
 * organization it names (the assignee's, else the reporter's). Edits and links tell no one. A
 * `correlated` event (the correlation's, by the service) tells every participant: by email, the app
 * and pushes, never SMS.
 */
export function recipientsOf(incident: Pick<Incident, 'participants' | 'tlp'>, event: Pick<TimelineEvent, 'type' | 'actor'> & { data?: Record<string, unknown> }, managerOrgs: readonly string[] = []): string[] {
  switch (event.type) {
    case 'reported': return [...incident.participants];
    case 'participants_added': return stringsOf(event.data?.orgIds).filter((org) => incident.participants.includes(org));
    case 'update_due': return stringsOf([event.data?.orgId]).filter((org) => incident.participants.includes(org));
    case 'escalated': return [...new Set([...incident.participants, ...managerOrgs])].filter((org) => mayBeToldTo(org, incident));
    default: return incident.participants.filter((org) => org !== event.actor.orgId);
  }
}

const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A publish failure; `transient` ones are retried, the others recorded at once. */
export class PublishError extends Error {
  constructor(message: string, readonly transient: boolean, options?: { cause?: unknown }) { super(message, options); }
}

/** Who an organization's topic for `audience` reaches: every contact and endpoint, or (RED) those marked `red`. */
export function audienceOf(org: Pick<Organization, 'contacts' | 'endpoints'> | undefined, audience: Audience) {
  const marked = <T extends { red?: boolean }>(all: readonly T[] = []) => all.filter((x) => audience === 'all' || x.red);
  return { contacts: marked(org?.contacts), endpoints: marked(org?.endpoints) };
}

export interface NotifierDeps {
  incidents: IncidentService;
  repository: Pick<IncidentRepository, 'get' | 'getRecords' | 'event'>;
  deliveries: DeliveryLog;
  directory: Pick<DirectoryRepository, 'managerOrganizations' | 'getOrganizations'>;
  publisher: NotificationPublisher;
  render: Render;
  links: AckLinkSigner;
  clock: Clock;
  /** Publish attempts for transient failures. @default 4 */
  attempts?: number;
  /** Backoff between attempts. @default 100 ms, doubling */
  pause?: (attempt: number) => Promise<void>;
  /** Publishes in flight at once for one event. @default 10 */
  concurrency?: number;
  /** How long a run's claim on a delivery holds (ms): longer than a run takes (the notifier's timeout is 60 s). @default CLAIM_LEASE_MS */
  claimLeaseMs?: number;
  /** Escalation policies: whom a notice to an organization with one reaches, and its paging. Absent: every contact of the audience. */
  pager?: Pager;
}

/** A claim's lease: two notifier timeouts. A run that dies holding one delays that delivery this long at most. */
export const CLAIM_LEASE_MS = 120_000;

/** A delivery another run has claimed and not finished: the stream retries the record later. */
export class DeliveryClaimedError extends Error {
  constructor(incidentId: string, seq: number, orgIds: readonly string[]) {
    super(`Deliveries of event ${seq} of ${incidentId} to ${orgIds.join(', ')} are claimed by another run; retried when it finishes or its lease ends.`);
    this.name = 'DeliveryClaimedError';
  }
}

/** Outcomes recorded per transaction: each is an event, a delivery item and its claim's end, plus the incident's guard (100 items at most). */
export const RECORD_BATCH = 33;

const backoff = (attempt: number) => new Promise<void>((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));

export function makeNotifier(deps: NotifierDeps) {
  const { incidents, repository, deliveries, directory, publisher, render, links, clock } = deps;
  const attempts = deps.attempts ?? 4;
  const pause = deps.pause ?? backoff;
  const concurrency = Math.max(1, deps.concurrency ?? 10);
  const leaseMs = deps.claimLeaseMs ?? CLAIM_LEASE_MS;
  // The incidents, organizations and policies notices read at the same time are read together
  // (each read still starts after every notice it answers asked: gathered-reads.ts).
  const incidentOf = gatheredIncidents(repository);
  const organizationsOf = gatheredOrganizations(directory);
  const policiesOf = deps.pager ? gathered(deps.pager.policiesOf) : null;

  async function publishWithRetry(orgId: string, message: RenderedMessage, context: PublishContext): Promise<{ messageId: string } | { error: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { messageId: await publisher.publish(orgId, message, context) };
      } catch (err) {
        // Anything but a PublishError is a bug or a crash: let the stream retry the batch.
        if (!(err instanceof PublishError)) throw err;
        if (!err.transient || attempt >= attempts) return { error: err.message };
        await pause(attempt);
      }
    }
  }

  const emailContacts = (contacts: Contact[] = []) => contacts.filter((c) => c.email);

  /**
   * What one organization is sent about an event, or why nothing was (RED without a cleared
   * contact; a policy with nobody to page). The message names the contacts it is for: those its
   * escalation policy pages now (level 1, or RED's first level with a cleared contact), else every
   * contact of the audience; their subscriptions filter on it.
   */
  async function publishTo(record: IncidentRecord, told: TimelineEvent, orgId: string, org: Organization | undefined, policies?: KnownPolicies): Promise<{ orgId: string; audience: Audience; level: number; contacts: string[]; outcome: { messageId: string } | { error: string; reason?: string } }> {
    const { incident } = record;
    const [event, shown] = await Promise.all([asToldTo(orgId, told, incidentOf), incidentAsToldTo(orgId, incident, incidentOf)]);
    // RED reaches the organization's cleared contacts only, through its second topic.
    const audience: Audience = incident.tlp === 'RED' ? 'red' : 'all';
    const { contacts: everyone, endpoints } = audienceOf(org, audience);
    const plan = org && deps.pager ? await deps.pager.plan(org, incident, event, clock.now(), policies) : null;
    if (plan && 'failed' in plan) return { orgId, audience, level: 1, contacts: [], outcome: { error: 'no one to page', reason: plan.failed } };
    const recipients = plan ? everyone.filter((c) => plan.contacts.includes(c.id)) : everyone;
    const level = plan ? plan.level : 1;
    // Who would hear it on the RED topic: a cleared contact with an email or a phone, or an endpoint marked for RED.
    const cleared = recipients.some((c) => c.email || c.phone) || endpoints.length > 0;
    if (audience === 'red' && !cleared) {
      return { orgId, audience, level, contacts: [], outcome: { error: 'no cleared contact', reason: `${orgId} has no contact cleared for TLP:RED with an email or a phone, nor an endpoint marked for RED, so nothing was sent: RED is never sent to a whole organization. Mark a contact "red": true and replay.` } };
    }
    const ackLinks = event.type === 'resolved' || incident.status === 'resolved'
      ? []
      : await Promise.all(emailContacts(recipients).map(async (c) => ({ contact: c.name, url: await links.link(incident.id, orgId, c.name) })));
    const contacts = recipients.map((c) => c.id);
    const outcome = await publishWithRetry(orgId, render({ incident: shown, ackCode: record.ackCode, event, recipient: orgId, ackLinks }), { incidentId: incident.id, audience, endpoints: endpoints.map((e) => e.url), contacts, ...(NOT_BY_SMS.has(event.type) ? { sms: false as const } : {}) });
    return { orgId, audience, level, contacts, outcome };
  }

  type Published = Awaited<ReturnType<typeof publishTo>>;

  /**
   * Records outcomes with their `notified` / `notification_failed` events, as few transactions as
   * DynamoDB's 100-item limit allows (each outcome is an event, a delivery item and the end of its
   * claim), on the incident as `record` has it unless it changed since. The first try records all
   * of them and ends `owner`'s claims in the same write: this run holds them, and each delivery is
   * written only if not recorded and each claim ended only if still this run's (the repository's
   * conditions). If that is refused, the next try reads what is recorded and leaves it out (so a
   * concurrent run never records one twice) and ends no claim (one may have been taken over; the
   * caller lets go what is still its own). Returns the organizations whose claims it ended.
   */
  async function recordOutcomes(record: IncidentRecord, event: TimelineEvent, published: Published[], owner: string): Promise<Set<string>> {
    const incidentId = record.incident.id;
    const ended = new Set<string>();
    let known: IncidentRecord | undefined = record;
    for (let i = 0; i < published.length; i += RECORD_BATCH) {
      const batch = published.slice(i, i + RECORD_BATCH);
      let tries = 0;
      let ending: Published[] = [];
      await incidents.recordSystemEvents(incidentId, async (current) => {
        const firstTry = tries++ === 0;
        const recorded = firstTry ? new Map<string, DeliveryStatus>() : await deliveries.statuses(incidentId, event.seq, batch.map((p) => p.orgId));
        const fresh = batch.filter((p) => {
          const now = recorded.get(p.orgId);
          return !(now === 'sent' || (now === 'failed' && !('messageId' in p.outcome)));
        });
        ending = firstTry ? fresh : [];
        if (!fresh.length) return null;
        const at = clock.now().toISOString();
        const change = recordSystemEvents(current, fresh.map((p) => ({
          type: 'messageId' in p.outcome ? 'notified' as const : 'notification_failed' as const,
          at,
          actor: systemActor('notifier'),
          data: { orgId: p.orgId, about: event.seq, aboutType: event.type, ...matchOf(event), level: p.level, ...('messageId' in p.outcome ? { messageId: p.outcome.messageId, contacts: p.contacts, ...(p.audience === 'red' ? { audience: p.audience } : {}) } : p.outcome) },
        })));
        return { ...change, deliveries: fresh.map((p) => ({ incidentId, seq: event.seq, orgId: p.orgId, status: 'messageId' in p.outcome ? 'sent' as const : 'failed' as const, ...(firstTry ? { claimedBy: owner } : {}) })) };
      }, known);
      // The next batch's first try reads the incident: this one changed it.
      known = undefined;
      for (const p of ending) ended.add(p.orgId);
    }
    return ended;
  }

  /**
   * Delivers an event to organizations: claims, in one write, what is not recorded yet (sent, or,
   * unless replaying, failed) and free (a conditional write with a lease: any number of concurrent
   * runs — stream retries, replays — publish a delivery once), skips the rest, publishes with
   * bounded parallelism, records every outcome — also when one publish crashed, so a retry of the
   * batch sends nothing twice; the crash is then rethrown for the stream to retry — ending its
   * claims with the record, and lets go those it did not end. A delivery another run holds is
   * skipped by a replay, and retried by the stream (DeliveryClaimedError).
   */
  async function deliverAll(record: IncidentRecord, event: TimelineEvent, orgIds: string[], replay: boolean): Promise<Record<string, DeliveryStatus | 'skipped'>> {
    const { incident } = record;
    const outcome: Record<string, DeliveryStatus | 'skipped'> = {};
    const owner = randomUUID();
    const ref = (orgId: string): DeliveryRef => ({ incidentId: incident.id, seq: event.seq, orgId });
    // What publishing needs is read while the claims are written, for every recipient (nearly
    // always all of them are claimed): the first message waits one round trip, not three.
    // Organizations and their escalation policies: one read each for the notice, not per organization.
    const reads = orgIds.length ? allInOrder([organizationsOf(orgIds), policiesOf ? policiesOf(orgIds) : Promise.resolve(undefined)]) : null;
    // Waited for before the notice answers, whatever the claims say (nothing is left reading after
    // it), and never an unhandled rejection: a failed read fails the notice only where it is used.
    const readsSettled = reads?.then(() => undefined, () => undefined);
    // One write claims what is not recorded yet (sent, or failed unless replaying) and free.
    let found = new Map<string, ClaimOutcome>();
    try {
      if (orgIds.length) found = await deliveries.claimAll(orgIds.map(ref), owner, clock.now(), leaseMs, replay);
    } catch (err) {
      await readsSettled;
      throw err;
    }
    const due = orgIds.filter((orgId) => found.get(orgId) === 'claimed');
    const held = orgIds.filter((orgId) => found.get(orgId) === 'held');
    for (const orgId of orgIds) if (found.get(orgId) !== 'claimed') outcome[orgId] = 'skipped';
    let ended = new Set<string>();
    try {
      const [organizations, policies] = due.length && reads ? await reads : [new Map<string, Organization>(), undefined];
      const published: Published[] = [];
      let crash: unknown;
      await inParallel(due, async (orgId) => {
        try {
          published.push(await publishTo(record, event, orgId, organizations.get(orgId), policies));
        } catch (err) {
          crash ??= err;
        }
      });
      // Recorded in recipient order, so the timeline reads the same whatever finished first.
      published.sort((a, b) => orgIds.indexOf(a.orgId) - orgIds.indexOf(b.orgId));
      ended = await recordOutcomes(record, event, published, owner);
      if (crash !== undefined) throw crash;
      for (const p of published) outcome[p.orgId] = 'messageId' in p.outcome ? 'sent' : 'failed';
    } finally {
      // A record ended its claim; the others still this run's are let go (one the table refuses ends with its lease).
      const open = due.filter((orgId) => !ended.has(orgId));
      if (open.length) await deliveries.releaseAll(open.map(ref), owner).catch(() => undefined);
      // Nothing claimed: the reads were not needed, and are waited for all the same.
      await readsSettled;
    }
    if (held.length && !replay) throw new DeliveryClaimedError(incident.id, event.seq, held);
    return Object.fromEntries(orgIds.map((id) => [id, outcome[id]!]));
  }

  /** One level of an organization's policy paged: published to its contacts, recorded in the timeline. */
  async function pageLevel(record: IncidentRecord, org: Organization, about: number, page: Page): Promise<void> {
    const { incident } = record;
    const audience: Audience = incident.tlp === 'RED' ? 'red' : 'all';
    const recipients = audienceOf(org, audience).contacts.filter((c) => page.contacts.includes(c.id));
    const at = clock.now();
    const event: TimelineEvent = {
      seq: about, type: 'escalated', at: at.toISOString(), actor: systemActor('escalation'),
      data: { level: page.level, unacknowledgedSeconds: Math.round((at.getTime() - Date.parse(incident.reportedAt)) / 1000) },
    };
    const ackLinks = await Promise.all(emailContacts(recipients).map(async (c) => ({ contact: c.name, url: await links.link(incident.id, org.id, c.name) })));
    const outcome = await publishWithRetry(org.id, render({ incident, ackCode: record.ackCode, event, recipient: org.id, ackLinks }), { incidentId: incident.id, audience, contacts: page.contacts });
    await incidents.recordSystemEvents(incident.id, (current) => recordSystemEvents(current, [{
      type: 'messageId' in outcome ? 'notified' as const : 'notification_failed' as const,
      at: at.toISOString(), actor: systemActor('escalation'),
      data: { orgId: org.id, about, aboutType: 'page', level: page.level, round: page.round, contacts: page.contacts, ...outcome },
    }]));
  }

  /** Runs `work` on each item, at most PUBLISH_CONCURRENCY at once. */
  const inParallel = <T>(items: readonly T[], work: (item: T) => Promise<void>) => inPool(items, concurrency, work);

  return {
    /** Notifies everyone `event` concerns. Safe to run again for the same event. */
    async notify(incidentId: string, event: TimelineEvent): Promise<Record<string, DeliveryStatus | 'skipped'>> {
      if (!NOTIFIABLE.has(event.type)) return {};
      const record = await incidentOf(incidentId);
      if (!record) return {};
      const managers = event.type === 'escalated' ? await directory.managerOrganizations() : [];
      let recipients = recipientsOf(record.incident, event, managers);
      if (event.type === 'correlated') {
        // Judged again as it is sent: an organization invited since, that may not see the incident
        // the match names, is not told of it (nor is anyone, once that incident is gone).
        const other = typeof event.data.incidentId === 'string' ? (await incidentOf(event.data.incidentId))?.incident : undefined;
        recipients = other ? recipients.filter((orgId) => canSee(partnerOf(orgId), other)) : [];
      }
      return deliverAll(record, event, recipients, false);
    },

    /**
     * The escalation timer's part of escalation policies: each organization's paging whose next
     * level is due moves on (a conditional write on the state it read, so two timers page a level
     * once), and each level paged is published to the contacts it resolves to now, with a
     * `notified` (or `notification_failed`) event carrying its level. Acknowledged, resolved, or no
     * longer a participant: it ends.
     */
    async runPaging(limit = 100): Promise<{ paged: Array<{ incidentId: string; orgId: string; level: number; round: number }> }> {
      const paged: Array<{ incidentId: string; orgId: string; level: number; round: number }> = [];
      const pager = deps.pager;
      if (!pager) return { paged };
      const now = clock.now();
      for (const item of await pager.store.due(now.toISOString(), limit)) {
        const record = await repository.get(item.incidentId);
        const org = record && record.incident.status !== 'resolved' && record.incident.participants.includes(item.orgId)
          ? (await directory.getOrganizations([item.orgId]))[0] : undefined;
        const ctx = record && org ? await pager.contextOf(org, record.incident) : null;
        if (!record || !org || !ctx) { await pager.store.move(item, null); continue; }
        const step = advancePaging(ctx, item.state, now, record.incident.acknowledgements.some((a) => a.orgId === item.orgId));
        if (!(await pager.store.move(item, step.state))) continue;
        for (const page of step.pages) {
          await pageLevel(record, org, item.about, page);
          paged.push({ incidentId: item.incidentId, orgId: item.orgId, level: page.level, round: page.round });
        }
      }
      return { paged };
    },

    /** Publishes again what failed; each delivery that now succeeds is recorded once. */
    async replayFailed(limit = 100): Promise<{ replayed: number; failed: number }> {
      let replayed = 0;
      let failed = 0;
      for (const d of await deliveries.failed(limit)) {
        const record = await repository.get(d.incidentId);
        const event = record && await repository.event(d.incidentId, d.seq);
        if (!record || !event) continue;
        const status = (await deliverAll(record, event, [d.orgId], true))[d.orgId];
        if (status === 'sent') replayed++;
        else if (status === 'failed') failed++;
      }
      return { replayed, failed };
    },
  };
}

export type Notifier = ReturnType<typeof makeNotifier>;
