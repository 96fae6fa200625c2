/** In-memory fakes of the domain's ports, with the same optimistic-concurrency contract. */
import type { AuditLog, ApiKeyRecord, Clock, CreateResult, DirectoryRepository, IncidentRepository, ListPage, ListQuery, Organization, TimelinePage, TimelinePageQuery, ClaimOutcome, Delivery, DeliveryLog, DeliveryRef, ObservableIndex, ObservablePage } from '../../lambdas/domain/ports';
import { observableKey, type ObservableRef } from '../../lambdas/domain/observables';
import { countRequests, visibleTo, type AuditPage, type AuditPageQuery, type AuditRecord, type AuditWindowQuery, type HiddenDayQuery } from '../../lambdas/domain/audit-entry';
import { ConcurrentModificationError } from '../../lambdas/domain/errors';
import { nextClockTime } from '../../lambdas/shared/ids';
import type { Change, IncidentRecord, TimelineEvent } from '../../lambdas/domain/incident';
import { isCommunity } from '../../lambdas/domain/tlp';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryIncidentRepository implements IncidentRepository, DeliveryLog {
  readonly records = new Map<string, IncidentRecord>();
  readonly events = new Map<string, TimelineEvent[]>();
  readonly dedup = new Map<string, string>();
  readonly ackCodes = new Map<string, string>();
  readonly deliveries = new Map<string, Delivery>();
  /** What each incident's correlated events told of another (`<id>#<otherId>` → observable keys). */
  readonly told = new Map<string, string[]>();
  /** Make the next N commits lose a race, as if someone else wrote first. */
  failNextCommits = 0;
  /** The commit clock: the last time it gave (each new version takes a later one, as in DynamoDB). */
  clock: string | undefined;
  private tick(floor: string): string { return (this.clock = nextClockTime(this.clock, floor)); }

  constructor(readonly audit: MemoryAuditLog = new MemoryAuditLog()) {}

  async get(id: string) { const r = this.records.get(id); return r ? clone(r) : null; }

  async getMany(ids: readonly string[]) { return [...new Set(ids)].flatMap((id) => { const r = this.records.get(id); return r ? [clone(r.incident)] : []; }); }

  async getRecords(ids: readonly string[]) { return [...new Set(ids)].flatMap((id) => { const r = this.records.get(id); return r ? [clone(r)] : []; }); }

  async create(change: Change): Promise<CreateResult> {
    const { incident } = change;
    if (incident.dedupKey !== null) {
      const key = `${incident.reporter.orgId}#${incident.dedupKey}`;
      const claimed = this.dedup.get(key);
      if (claimed) return { created: false, existing: clone(this.records.get(claimed)!) };
    }
    if (change.ackCode && this.ackCodes.has(change.ackCode)) return { created: false, ackCodeTaken: true };
    if (incident.dedupKey !== null) this.dedup.set(`${incident.reporter.orgId}#${incident.dedupKey}`, incident.id);
    if (change.ackCode) this.ackCodes.set(change.ackCode, incident.id);
    this.records.set(incident.id, { incident: clone(incident), eventCount: change.events.length, ackCode: change.ackCode ?? null, escalation: change.escalation ?? null, addedAt: this.tick(change.events[0]?.at ?? incident.reportedAt) });
    this.events.set(incident.id, clone(change.events));
    this.audit.entries.push(...clone(change.audit ?? []));
    return { created: true };
  }

  async commit(previous: IncidentRecord, change: Change): Promise<void> {
    const current = this.records.get(change.incident.id);
    if (this.failNextCommits > 0) { this.failNextCommits--; throw new ConcurrentModificationError('simulated race'); }
    if (!current || current.eventCount !== previous.eventCount) throw new ConcurrentModificationError('changed');
    // As DynamoDB's condition: a delivery is recorded once; a failed one may become sent, never the other way.
    for (const d of change.deliveries ?? []) {
      const recorded = this.deliveries.get(`${d.incidentId}#${d.seq}#${d.orgId}`);
      if (recorded && (d.status === 'failed' || recorded.status === 'sent')) throw new ConcurrentModificationError('delivery recorded');
      const claim = this.claims.get(`${d.incidentId}#${d.seq}#${d.orgId}`);
      if (d.claimedBy && claim && claim.owner !== d.claimedBy) throw new ConcurrentModificationError('claim taken over');
    }
    this.records.set(change.incident.id, {
      incident: clone(change.incident),
      eventCount: previous.eventCount + change.events.length,
      ackCode: change.ackCode === undefined ? current.ackCode : change.ackCode,
      escalation: change.escalation === undefined ? current.escalation : change.escalation,
      updateDue: change.updateDue === undefined ? current.updateDue ?? null : change.updateDue,
      ...(change.incident.version !== previous.incident.version ? { addedAt: this.tick(change.events[0]?.at ?? new Date().toISOString()) } : current.addedAt ? { addedAt: current.addedAt } : {}),
    });
    this.events.get(change.incident.id)!.push(...clone(change.events));
    // A delivery's record ends its claim, as in DynamoDB.
    for (const { claimedBy, ...d } of change.deliveries ?? []) {
      this.deliveries.set(`${d.incidentId}#${d.seq}#${d.orgId}`, clone(d));
      if (claimedBy) this.claims.delete(`${d.incidentId}#${d.seq}#${d.orgId}`);
    }
    for (const c of change.correlations ?? []) this.told.set(`${c.incidentId}#${c.otherId}`, [...c.observables]);
    this.audit.entries.push(...clone(change.audit ?? []));
    const { incident } = change;
    if (incident.status === 'resolved' && previous.incident.status !== 'resolved') {
      if (incident.dedupKey !== null) this.dedup.delete(`${incident.reporter.orgId}#${incident.dedupKey}`);
      if (current.ackCode) this.ackCodes.delete(current.ackCode);
    }
  }

  async findOpenByDedupKey(orgId: string, dedupKey: string) {
    const id = this.dedup.get(`${orgId}#${dedupKey}`);
    return id ? clone(this.records.get(id)!) : null;
  }

  async statuses(incidentId: string, seq: number, orgIds: readonly string[]) {
    return new Map(orgIds.flatMap((orgId) => { const d = this.deliveries.get(`${incidentId}#${seq}#${orgId}`); return d ? [[orgId, d.status] as const] : []; }));
  }
  /** Claims of deliveries: owner and lease end (epoch ms). */
  readonly claims = new Map<string, { owner: string; leaseUntil: number }>();
  async claimAll(ds: readonly DeliveryRef[], owner: string, now: Date, leaseMs: number, replay = false) {
    const found = new Map<string, ClaimOutcome>();
    for (const d of ds) {
      const status = this.deliveries.get(`${d.incidentId}#${d.seq}#${d.orgId}`)?.status;
      if (status === 'sent' || (status === 'failed' && !replay)) found.set(d.orgId, 'done');
      else found.set(d.orgId, (await this.claim(d, owner, now, leaseMs)) ? 'claimed' : 'held');
    }
    return found;
  }
  async releaseAll(ds: readonly DeliveryRef[], owner: string) {
    for (const d of ds) await this.release(d, owner);
  }
  async claim(d: DeliveryRef, owner: string, now: Date, leaseMs: number) {
    const key = `${d.incidentId}#${d.seq}#${d.orgId}`;
    const held = this.claims.get(key);
    if (held && held.leaseUntil > now.getTime()) return false;
    this.claims.set(key, { owner, leaseUntil: now.getTime() + leaseMs });
    return true;
  }
  async release(d: DeliveryRef, owner: string) {
    const held = this.claims.get(`${d.incidentId}#${d.seq}#${d.orgId}`);
    if (held?.owner === owner) held.leaseUntil = 0;
  }
  /** Failed deliveries, and held claims (a run that died holding one leaves it for a replay). */
  async failed(limit: number) {
    const held = [...this.claims].filter(([, c]) => c.leaseUntil > 0).map(([key]) => {
      const [incidentId, seq, orgId] = key.split('#');
      return { incidentId: incidentId!, seq: Number(seq), orgId: orgId!, status: 'failed' as const };
    });
    return [...[...this.deliveries.values()].filter((d) => d.status === 'failed'), ...held].slice(0, limit);
  }

  async event(id: string, seq: number) { return clone(this.events.get(id)?.find((e) => e.seq === seq) ?? null); }

  async findOpenByAckCode(code: string) {
    const id = this.ackCodes.get(code);
    return id ? clone(this.records.get(id)!) : null;
  }

  async reportedBetween(from: string, to: string) {
    return clone([...this.records.values()].map((r) => r.incident).filter((i) => i.reportedAt >= from && i.reportedAt < to));
  }

  async dueForEscalation(now: string, limit: number) {
    return clone([...this.records.values()]
      .filter((r) => r.escalation && r.escalation.dueAt <= now)
      .sort((a, b) => (a.escalation!.dueAt < b.escalation!.dueAt ? -1 : 1))
      .slice(0, limit));
  }

  async timeline(id: string, { limit, afterSeq = 0 }: TimelinePageQuery): Promise<TimelinePage> {
    const after = (this.events.get(id) ?? []).filter((e) => e.seq > afterSeq);
    const events = clone(after.slice(0, limit));
    return { events, lastSeq: after.length > limit ? events.at(-1)!.seq : null };
  }

  async list(query: ListQuery): Promise<ListPage> {
    const all = [...this.records.values()].map((r) => r.incident).sort((a, b) => (a.id < b.id ? 1 : -1));
    const matches = all.filter((i) =>
      (query.scope.kind === 'all' || (query.scope.kind === 'community' ? isCommunity(i.tlp) : i.participants.includes(query.scope.orgId)))
      && (!query.after || i.id < query.after)
      && (!query.status || i.status === query.status)
      && (!query.severity || i.severity === query.severity)
      && (!query.participant || i.participants.includes(query.participant))
      && (!query.restrictedVisibleTo || !['RED', 'AMBER+STRICT'].includes(i.tlp) || i.participants.includes(query.restrictedVisibleTo)));
    const items = matches.slice(0, query.limit);
    const addedAt = new Map(items.flatMap((i) => { const at = this.records.get(i.id)!.addedAt; return at ? [[i.id, at] as const] : []; }));
    return { items: clone(items), lastId: matches.length > query.limit ? items.at(-1)!.id : null, addedAt };
  }
}

export class MemoryDirectoryRepository implements DirectoryRepository {
  async trustsOfIssuer(issuer: string) {
    return [...this.organizations.values()].flatMap((o) => (o.identity ?? []).filter((p) => p.issuer === issuer).map((provider) => ({ orgId: o.id, provider: clone(provider) })));
  }

  readonly organizations = new Map<string, Organization>();
  readonly keys = new Map<string, ApiKeyRecord>();
  async getOrganization(id: string) { return clone(this.organizations.get(id) ?? null); }
  async getOrganizations(ids: readonly string[]) { return [...new Set(ids)].flatMap((id) => (this.organizations.has(id) ? [clone(this.organizations.get(id)!)] : [])); }
  async putOrganization(org: Organization) { const created = !this.organizations.has(org.id); this.organizations.set(org.id, clone(org)); return { created }; }
  async contactsByPhone(phone: string) {
    return [...this.organizations.values()].flatMap((o) => o.contacts.filter((c) => c.phone === phone).map((contact) => ({ orgId: o.id, contact: clone(contact) })));
  }
  async managerOrganizations() { return [...new Set([...this.keys.values()].filter((k) => k.role === 'manager' && !k.revokedAt).map((k) => k.orgId))]; }
  async listOrganizations() { return clone([...this.organizations.values()]); }
  async missingOrganizations(ids: readonly string[]) { return [...new Set(ids)].filter((id) => !this.organizations.has(id)); }
  async putKey(key: ApiKeyRecord) { this.keys.set(key.keyId, clone(key)); }
  async getKey(keyId: string) { return clone(this.keys.get(keyId) ?? null); }
  async keysOf(orgId: string) { return clone([...this.keys.values()].filter((k) => k.orgId === orgId)); }
  async touchKey(keyId: string, at: string) { const k = this.keys.get(keyId); if (k && !k.revokedAt) k.lastUsedAt = at; }
  async revokeKey(keyId: string, at: string) { const k = this.keys.get(keyId); if (!k || k.revokedAt) return false; k.revokedAt = at; return true; }
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-11-03T12:00:00.000Z')) {}
  now() { return new Date(this.ms); }
  advance(seconds: number) { this.ms += seconds * 1000; }
}

/** The audit trail in memory; `failAppends` makes the next appends fail, as a throttled table would. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditRecord[] = [];
  failAppends = 0;

  async append(entries: readonly AuditRecord[]): Promise<void> {
    if (this.failAppends > 0) { this.failAppends--; throw new Error('simulated audit write failure'); }
    this.entries.push(...clone(entries));
  }

  private page(items: AuditRecord[], { limit, after }: AuditPageQuery): AuditPage {
    const sorted = [...items].sort((a, b) => a.id.localeCompare(b.id)).filter((e) => after === undefined || e.id > after);
    return { items: clone(sorted.slice(0, limit)), last: sorted.length > limit ? sorted[limit - 1]!.id : null };
  }

  async forIncident(incidentId: string, page: AuditPageQuery): Promise<AuditPage> {
    return this.page(this.entries.filter((e) => e.incidentId === incidentId), page);
  }

  async between(q: AuditWindowQuery): Promise<AuditPage> {
    return this.page(this.entries.filter((e) => e.at >= q.from && e.at < q.to && (!q.orgId || e.actor.orgId === q.orgId) && (!q.action || e.action === q.action) && visibleTo(q.viewerOrgId, e)), q);
  }

  async hiddenOn(q: HiddenDayQuery): Promise<Array<{ orgId: string; count: number }>> {
    return countRequests(this.entries
      .filter((e) => e.at.slice(0, 10) === q.day && !visibleTo(q.viewerOrgId, e) && (!q.orgId || e.actor.orgId === q.orgId) && (!q.action || e.action === q.action))
      .map((e) => ({ orgId: e.actor.orgId, requestId: e.requestId })));
  }
}

/**
 * The correlation index in memory, with the same contract as DynamoDB's: entries by observable,
 * newest incident first; what correlated events told is the repository's (written with them).
 */
export class MemoryObservableIndex implements ObservableIndex {
  readonly entries = new Map<string, Set<string>>();
  /** Requests made and items read, as the DynamoDB adapter counts them. */
  readonly work = { requests: 0, itemsRead: 0 };

  constructor(private readonly repository: MemoryIncidentRepository) {}

  async add(incidentId: string, observables: readonly ObservableRef[]): Promise<void> {
    for (const o of observables) {
      const key = observableKey(o);
      if (!this.entries.has(key)) this.entries.set(key, new Set());
      this.entries.get(key)!.add(incidentId);
    }
  }

  async incidentsWith(o: ObservableRef, { limit, after }: { limit: number; after?: string }): Promise<ObservablePage> {
    this.work.requests++;
    const all = [...(this.entries.get(observableKey(o)) ?? [])].sort().reverse().filter((id) => after === undefined || id < after);
    const incidentIds = all.slice(0, limit);
    this.work.itemsRead += incidentIds.length;
    return { incidentIds, last: all.length > limit ? incidentIds.at(-1)! : null };
  }

  async told(incidentId: string, otherIds: readonly string[]): Promise<Map<string, string[]>> {
    return new Map(otherIds.flatMap((o) => { const t = this.repository.told.get(`${incidentId}#${o}`); return t ? [[o, [...t]] as const] : []; }));
  }
}
