/**
 * The incident: its shape, its lifecycle rules and who may see it.
 * Pure functions over plain data; nothing here knows about AWS, HTTP or middy.
 */
import { isCommunity as sharedWithCommunity } from './tlp';
import type { AuditRecord } from './audit-entry';
import { actorOf, type Actor, type ActorRef, type Caller, type Person, type Via } from './actor';
import { isRestricted, type Tlp } from './tlp';
import { ConflictError, ValidationError } from './errors';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const CATEGORIES = ['misinformation', 'ransomware', 'phishing', 'account-takeover', 'ddos', 'intrusion', 'other'] as const;
export const STATUSES = ['reported', 'acknowledged', 'assigned', 'resolved'] as const;
export const EVENT_TYPES = ['reported', 'acknowledged', 'assigned', 'resolved', 'note', 'notified', 'notification_failed', 'escalated'] as const;

/** How metrics may be grouped. */
export const GROUP_BYS = ['severity', 'category', 'org'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** The largest `details` object, measured as UTF-8 JSON. */
export const MAX_DETAILS_BYTES = 16 * 1024;

export type Severity = (typeof SEVERITIES)[number];
export type Category = (typeof CATEGORIES)[number];
export type Status = (typeof STATUSES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export interface Link { href: string; text?: string }
export interface Acknowledgement { orgId: string; by: string | null; via: Via; at: string }
export interface Assignee { orgId: string; responder: string | null }

/** An incident as the API shows it. */
export interface Incident {
  id: string;
  title: string;
  description: string | null;
  severity: Severity;
  category: Category;
  tlp: Tlp;
  status: Status;
  reporter: { orgId: string; source: string | null };
  participants: string[];
  acknowledgements: Acknowledgement[];
  assignee: Assignee | null;
  dedupKey: string | null;
  links: Link[];
  details: Record<string, unknown>;
  reportedAt: string;
  acknowledgedAt: string | null;
  assignedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  version: number;
}

/** One entry of an incident's timeline. `seq` numbers events 1, 2, 3… oldest first. */
export interface TimelineEvent {
  seq: number;
  type: EventType;
  at: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** When an unacknowledged incident is next escalated, and how many times it already was. */
export interface Escalation { level: number; dueAt: string }

/**
 * An incident as stored: the API's view plus what only the service needs. The event count is the
 * optimistic-concurrency token: every change, including notification events, bumps it.
 */
export interface IncidentRecord {
  incident: Incident;
  eventCount: number;
  /** The code responders text back (`ACK 4821`); unique among open incidents. */
  ackCode: string | null;
  /** Null once acknowledged or resolved, or after the last escalation level. */
  escalation: Escalation | null;
  /**
   * When its current version was committed, by the commit clock: strictly increasing in commit
   * order across all incidents (TAXII's date_added). Absent on incidents not changed since before
   * the clock; set by the repository, never by a command.
   */
  addedAt?: string;
}

/**
 * Whether `caller` may see (read) `incident` — the one statement of the visibility rule. Partners see
 * incidents their organization participates in and, as TLP 2.0 lets them be shared within the
 * community, every GREEN and CLEAR incident; managers also see every incident whose TLP is not
 * restricted. Admins manage the directory only. Seeing is not acting: see `mayAct`.
 */
export function canSee(caller: Caller, incident: Pick<Incident, 'participants' | 'tlp'>): boolean {
  if (caller.role === 'admin') return false;
  if (incident.participants.includes(caller.orgId)) return true;
  return caller.role === 'manager' ? !isRestricted(incident.tlp) : sharedWithCommunity(incident.tlp);
}

/**
 * Whether `caller` may act on `incident` (acknowledge, assign, resolve, note…): its organization's
 * partners (systems and people) only. A caller that may see it but not act is refused with 403;
 * one that may not even see it gets 404, as if it did not exist.
 */
export function mayAct(caller: Caller, incident: Pick<Incident, 'participants'>): boolean {
  return caller.role === 'partner' && incident.participants.includes(caller.orgId);
}

/** The scopes `GET /v1/incidents` takes: the caller's own incidents (the default), or the community's GREEN and CLEAR ones. */
export const LIST_SCOPES = ['own', 'community'] as const;
export type ListScopeParam = (typeof LIST_SCOPES)[number];

/** Whether an organization outside the caller's view may receive anything about the incident. */
export const mayBeToldTo = (orgId: string, incident: Pick<Incident, 'participants' | 'tlp'>): boolean =>
  incident.participants.includes(orgId) || !isRestricted(incident.tlp);

export interface ReportInput {
  title: string;
  description?: string;
  severity: Severity;
  category: Category;
  tlp?: Tlp;
  participants?: string[];
  dedupKey?: string;
  source?: string;
  links?: Link[];
  details?: Record<string, unknown>;
}

/**
 * A change to an incident: its new state and the events that record it. `escalation` replaces the
 * record's when present (null stops escalating); `ackCode` is set when the incident is created.
 */
export interface Change {
  incident: Incident;
  events: TimelineEvent[];
  escalation?: Escalation | null;
  ackCode?: string;
  /** Notification outcomes recorded with the events (see notifications.ts). */
  deliveries?: Array<{ incidentId: string; seq: number; orgId: string; status: 'sent' | 'failed' }>;
  /** Audit entries written in the same transaction: a change never exists without its entry. */
  audit?: AuditRecord[];
}

/** The `source` of incidents added as STIX objects through TAXII; their dedup key is the object's STIX id. */
export const STIX_SOURCE = 'taxii';

/**
 * Whether resolving keeps the incident's dedup claim. A STIX object is one incident for good: adding
 * it again after its incident is resolved changes nothing (TAXII's idempotency), where any other
 * dedup key opens a new incident once the first is resolved (the Events API's).
 */
export const keepsDedupClaim = (incident: Incident): boolean => incident.reporter.source === STIX_SOURCE && incident.dedupKey !== null;

/** The reporter's organization always participates; duplicates are dropped, order kept. */
export function participantsOf(reporterOrgId: string, listed: readonly string[] = []): string[] {
  return [...new Set([reporterOrgId, ...listed])];
}

export interface ReportExtras { ackCode: string; firstEscalationAt: string | null }

export function report(id: string, reporter: string | ActorRef, input: ReportInput, now: string, extras?: ReportExtras): Change {
  const by = typeof reporter === 'string' ? { orgId: reporter } : reporter;
  const reporterOrgId = by.orgId;
  const incident: Incident = {
    id,
    title: input.title,
    description: input.description ?? null,
    severity: input.severity,
    category: input.category,
    tlp: input.tlp ?? 'AMBER',
    status: 'reported',
    reporter: { orgId: reporterOrgId, source: input.source ?? null },
    participants: participantsOf(reporterOrgId, input.participants),
    acknowledgements: [],
    assignee: null,
    dedupKey: input.dedupKey ?? null,
    links: input.links ?? [],
    details: input.details ?? {},
    reportedAt: now,
    acknowledgedAt: null,
    assignedAt: null,
    resolvedAt: null,
    resolution: null,
    version: 1,
  };
  const event: TimelineEvent = {
    seq: 1,
    type: 'reported',
    at: now,
    actor: actorOf(by),
    data: { title: incident.title, severity: incident.severity, category: incident.category, tlp: incident.tlp, participants: incident.participants, source: incident.reporter.source },
  };
  if (!extras) return { incident, events: [event] };
  return {
    incident,
    events: [event],
    ackCode: extras.ackCode,
    escalation: extras.firstEscalationAt ? { level: 0, dueAt: extras.firstEscalationAt } : null,
  };
}

function requireOpen(record: IncidentRecord, command: string): void {
  if (record.incident.status === 'resolved') {
    throw new ConflictError(`The incident is resolved; ${command} is not allowed.`, record.incident.status);
  }
}

function nextEvent(record: IncidentRecord, type: EventType, at: string, actor: Actor, data: Record<string, unknown>): TimelineEvent {
  return { seq: record.eventCount + 1, type, at, actor, data };
}

function bump(incident: Incident, changes: Partial<Incident>): Incident {
  return { ...incident, ...changes, version: incident.version + 1 };
}

export interface AcknowledgeInput { by?: string | null; note?: string; via?: Via; keyId?: string; person?: Person }

/**
 * One acknowledgement per organization: the first sets `acknowledgedAt`; an organization that
 * already acknowledged gets the incident unchanged (`null` change).
 */
export function acknowledge(record: IncidentRecord, orgId: string, input: AcknowledgeInput, now: string): Change | null {
  requireOpen(record, 'acknowledge');
  const { incident } = record;
  if (incident.acknowledgements.some((a) => a.orgId === orgId)) return null;
  const via = input.via ?? 'api';
  const actor = actorOf({ orgId, keyId: input.keyId, person: input.person }, input.by ?? null, via);
  const by = actor.by;
  const ack: Acknowledgement = { orgId, by, via, at: now };
  const next = bump(incident, {
    acknowledgements: [...incident.acknowledgements, ack],
    acknowledgedAt: incident.acknowledgedAt ?? now,
    status: incident.status === 'assigned' ? 'assigned' : 'acknowledged',
  });
  const data = input.note === undefined ? {} : { note: input.note };
  // Someone has it: stop escalating.
  return { incident: next, events: [nextEvent(record, 'acknowledged', now, actor, data)], escalation: null };
}

export interface AssignInput { orgId: string; responder?: string; note?: string }

export function assign(record: IncidentRecord, caller: ActorRef, input: AssignInput, now: string): Change {
  requireOpen(record, 'assign');
  const { incident } = record;
  if (!incident.participants.includes(input.orgId)) {
    throw new ValidationError('The assignee must be a participant of the incident.', [
      { path: 'orgId', message: `"${input.orgId}" is not a participant; participants are ${incident.participants.join(', ')}` },
    ]);
  }
  const assignee: Assignee = { orgId: input.orgId, responder: input.responder ?? null };
  const next = bump(incident, { assignee, assignedAt: now, status: 'assigned' });
  const data: Record<string, unknown> = { assignee };
  if (incident.assignee) data.previous = incident.assignee;
  if (input.note !== undefined) data.note = input.note;
  return { incident: next, events: [nextEvent(record, 'assigned', now, actorOf(caller), data)] };
}

export function resolve(record: IncidentRecord, caller: ActorRef, resolution: string, now: string): Change {
  requireOpen(record, 'resolve');
  const next = bump(record.incident, { status: 'resolved', resolvedAt: now, resolution });
  return { incident: next, events: [nextEvent(record, 'resolved', now, actorOf(caller), { resolution })], escalation: null };
}

/** Notes are allowed in every status, resolved included: post-incident findings belong on the record. */
export function addNote(record: IncidentRecord, caller: ActorRef, text: string, now: string): Change {
  const next = bump(record.incident, {});
  return { incident: next, events: [nextEvent(record, 'note', now, actorOf(caller), { text })] };
}

/** Appends service events (notified, notification_failed, escalated): the incident's version stays. */
export function recordSystemEvents(record: IncidentRecord, events: Array<Omit<TimelineEvent, 'seq'>>, escalation?: Escalation | null): Change {
  return {
    incident: record.incident,
    events: events.map((e, i) => ({ ...e, seq: record.eventCount + 1 + i })),
    ...(escalation === undefined ? {} : { escalation }),
  };
}
