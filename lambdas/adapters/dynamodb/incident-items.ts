/**
 * How incidents, their events, participations, claims and deliveries become items (their keys
 * are keys.ts's).
 *
 * The commit clock (keys.ts COMMIT_CLOCK_KEY) orders versions across incidents (TAXII's
 * date_added): every write that changes an incident's version takes the clock's next time (at
 * least 1 ms after the time it holds, never before the change's own time) by a conditional Put
 * on the clock in the same transaction, and stores that time as the incident's `addedAt`. The Put
 * moves the clock only forward (its condition: the clock holds an earlier time): of two writes that
 * race, the one dated later may commit first, and then the other is cancelled and takes a later
 * time. So a version committed after another always has a later `addedAt`, and a reader that sees
 * one has every version dated before it already committed. A writer need not have seen the
 * clock's latest time: its own is later unless two writes meet in a millisecond, so a command stays
 * one transaction whichever instance wrote last.
 *
 * A participation item is an index entry, not a copy: the incident's id and the fields lists filter
 * on (status, severity, TLP, participants). One Query on GSI1 pages through an organization's
 * incidents, newest first (ids are ULIDs), then one BatchGetItem reads the page's incidents. Copies
 * of the whole incident made every command write n+1 full incidents: with 50 participants and
 * large (allowed) bodies that passed DynamoDB's 4 MB transaction limit.
 * Free-form JSON (links, details, event data) is stored as a JSON string: DynamoDB's number type
 * cannot hold every JSON number, and the API gives it back exactly as it came.
 */
import type { Escalation, Incident, IncidentRecord, TimelineEvent } from '../../domain/incident';
import type { Actor } from '../../domain/actor';
import { parseJsonLossless, stringifyJson } from '../../shared/json';
import { ALL_INCIDENTS, ESCALATION_PARTITION, FAILED_DELIVERIES, deliveryKey, escalationSortKey, eventKey, failedDeliverySortKey, incidentKey, organizationPartition, participationKey, COMMUNITY_INCIDENTS, communityKey } from './keys';

/** The `entity` attribute of each kind of item: the stream consumers' filters select by it. */
export const ENTITY = { incident: 'incident', event: 'event', participation: 'participation', community: 'community', delivery: 'delivery' } as const;

export function deliveryItem(d: { incidentId: string; seq: number; orgId: string; status: 'sent' | 'failed' }): Item {
  return {
    ...deliveryKey(d.incidentId, d.seq, d.orgId), entity: ENTITY.delivery, ...d,
    // Failed deliveries are listed for replay; a sent one leaves the list.
    ...(d.status === 'failed' ? { GSI1PK: FAILED_DELIVERIES, GSI1SK: failedDeliverySortKey(d.incidentId, d.seq, d.orgId) } : {}),
  };
}

type Item = Record<string, unknown>;

function incidentAttributes(incident: Incident): Item {
  const { links, details, observables, ...rest } = incident;
  return { ...rest, linksJson: JSON.stringify(links), detailsJson: stringifyJson(details), ...(observables.length ? { observablesJson: JSON.stringify(observables) } : {}) };
}

export function incidentItem(record: IncidentRecord): Item {
  const { incident, eventCount, ackCode, escalation, updateDue, addedAt } = record;
  // The timer's index holds the earlier of the escalation's and the promised update's due times.
  const dues = [escalation?.dueAt, updateDue ?? undefined].filter((d): d is string => d !== undefined).sort();
  return {
    ...incidentKey(incident.id), GSI1PK: ALL_INCIDENTS, GSI1SK: incident.id, entity: ENTITY.incident,
    eventCount, ackCode, ...(addedAt ? { addedAt } : {}),
    ...(dues.length ? { GSI2PK: ESCALATION_PARTITION, GSI2SK: escalationSortKey(dues[0]!, incident.id) } : {}),
    ...(escalation ? { escalationLevel: escalation.level, escalationDueAt: escalation.dueAt } : {}),
    ...(updateDue ? { updateDue } : {}),
    ...incidentAttributes(incident),
  };
}

/** What an organization's list filters on; everything else is read from the incident itself. */
export function participationItem(incident: Incident, orgId: string): Item {
  const { id, status, severity, tlp, participants, reportedAt } = incident;
  return {
    ...participationKey(incident.id, orgId), GSI1PK: organizationPartition(orgId), GSI1SK: incident.id, entity: ENTITY.participation,
    id, status, severity, tlp, participants, reportedAt,
  };
}

/** The incident's entry in the community's list (GREEN and CLEAR only): the same fields as a participation. */
export function communityItem(incident: Incident): Item {
  const { id, status, severity, tlp, participants, reportedAt } = incident;
  return { ...communityKey(incident.id), GSI1PK: COMMUNITY_INCIDENTS, GSI1SK: incident.id, entity: ENTITY.community, id, status, severity, tlp, participants, reportedAt };
}

export function eventItem(incidentId: string, event: TimelineEvent): Item {
  const { data, ...rest } = event;
  return { ...eventKey(incidentId, event.seq), entity: ENTITY.event, ...rest, dataJson: JSON.stringify(data) };
}

export function incidentFromItem(item: Item): Incident {
  const i = item as Item & Incident & { linksJson: string; detailsJson: string; observablesJson?: string };
  return {
    id: i.id,
    title: i.title,
    description: i.description ?? null,
    severity: i.severity,
    category: i.category,
    tlp: i.tlp,
    status: i.status,
    reporter: { orgId: i.reporter.orgId, source: i.reporter.source ?? null },
    participants: [...i.participants],
    acknowledgements: (i.acknowledgements ?? []).map((a) => ({ orgId: a.orgId, by: a.by ?? null, via: a.via, at: a.at })),
    assignee: i.assignee ? { orgId: i.assignee.orgId, responder: i.assignee.responder ?? null } : null,
    dedupKey: i.dedupKey ?? null,
    links: JSON.parse(i.linksJson),
    details: parseJsonLossless(i.detailsJson) as Record<string, unknown>,
    reportedAt: i.reportedAt,
    acknowledgedAt: i.acknowledgedAt ?? null,
    assignedAt: i.assignedAt ?? null,
    resolvedAt: i.resolvedAt ?? null,
    resolution: i.resolution ?? null,
    related: (i.related ?? []).map((r) => ({ incidentId: r.incidentId, relation: r.relation })),
    lastUpdate: i.lastUpdate
      ? { summary: i.lastUpdate.summary, phase: i.lastUpdate.phase ?? null, at: i.lastUpdate.at, actor: actorFromItem(i.lastUpdate.actor) }
      : null,
    nextUpdateDueAt: i.nextUpdateDueAt ?? null,
    observables: typeof i.observablesJson === 'string' ? JSON.parse(i.observablesJson) : [],
    version: Number(i.version),
  };
}

export function recordFromItem(item: Item): IncidentRecord {
  const escalation: Escalation | null = typeof item.escalationDueAt === 'string'
    ? { level: Number(item.escalationLevel), dueAt: item.escalationDueAt } : null;
  return {
    incident: incidentFromItem(item), eventCount: Number(item.eventCount), ackCode: typeof item.ackCode === 'string' ? item.ackCode : null, escalation,
    ...(typeof item.updateDue === 'string' ? { updateDue: item.updateDue } : {}),
    ...(typeof item.addedAt === 'string' ? { addedAt: item.addedAt } : {}),
  };
}

function actorFromItem(a: Actor): Actor {
  return {
    orgId: a.orgId, by: a.by ?? null, via: a.via,
    ...(a.keyId ? { keyId: a.keyId } : {}),
    ...(a.personId ? { personId: a.personId } : {}),
  };
}

export function eventFromItem(item: Item): TimelineEvent {
  const e = item as Item & TimelineEvent & { dataJson: string };
  return { seq: Number(e.seq), type: e.type, at: e.at, actor: actorFromItem(e.actor), data: JSON.parse(e.dataJson) };
}
