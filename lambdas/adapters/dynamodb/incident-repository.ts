/**
 * IncidentRepository on DynamoDB. Every change is ONE TransactWriteItems: the incident (guarded by
 * its event count and, for lifecycle commands, by its status), its new timeline events, the
 * participation entries, the dedup claim, the deliveries it records and its audit entry. Either all
 * of it is written or none. Reading deliveries is DynamoDeliveryLog's job (delivery-log.ts).
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConcurrentModificationError } from '../../domain/errors';
import { INCIDENT_ID_PREFIX, encodeTime } from '../../shared/ids';
import { keepsDedupClaim, type Change, type Incident, type IncidentRecord, type TimelineEvent } from '../../domain/incident';
import { RESTRICTED_TLPS, isCommunity, type Tlp } from '../../domain/tlp';
import type { CreateResult, DeliveryRef, IncidentRepository, ListPage, ListQuery, TimelinePage, TimelinePageQuery } from '../../domain/ports';
import { auditPut, type AuditStorage } from './audit-log';
import { cancellationReasons, guarded, translate } from './errors';
import { batchGetAll, queryAll } from './query';
import { Transaction, failedCondition, type WriteItem } from './transaction';
import { CommitClock, type Sent } from './commit-clock';
import { communityItem, deliveryItem, eventFromItem, eventItem, incidentFromItem, incidentItem, participationItem, recordFromItem } from './incident-items';
import { ALL_INCIDENTS, COMMUNITY_INCIDENTS, communityKey, deliveryClaimKey, ESCALATION_PARTITION, EVENT_PREFIX, ackCodeKey, dedupKey, eventKey, incidentKey, organizationPartition, participationKey } from './keys';
import { GSI1, GSI2 } from './table';
import { correlationToldItem } from './observable-index';

/** How many items one list Query reads at most; filters may discard some of them. */
const PAGE_READ = 100;
/** A dedup claim can be released between our failed claim and our read of it: try again, briefly. */
const CREATE_ATTEMPTS = 5;

export class DynamoIncidentRepository implements IncidentRepository {
  /** Writes that make a new version take the clock through it (group commit: commit-clock.ts). */
  private readonly clock: CommitClock;

  /** `audit`: how the audit entries a change carries are kept (retention, write shards; see AuditStorage). */
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: Omit<AuditStorage, 'tableName'> = {}) {
    this.clock = new CommitClock(db, tableName);
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true })));
    return Item ? recordFromItem(Item) : null;
  }

  async getMany(ids: readonly string[]): Promise<Incident[]> {
    return (await this.itemsById([...new Set(ids)])).map(incidentFromItem);
  }

  async getRecords(ids: readonly string[]): Promise<IncidentRecord[]> {
    return (await this.itemsById([...new Set(ids)])).map(recordFromItem);
  }

  async create(change: Change): Promise<CreateResult> {
    const { incident } = change;
    const build = (addedAt: string, clock: WriteItem) => this.creation(change, { incident, eventCount: change.events.length, ackCode: change.ackCode ?? null, escalation: change.escalation ?? null, updateDue: change.updateDue ?? null, addedAt }, clock);
    for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
      const sent = await this.clock.send(change.events[0]?.at ?? incident.reportedAt, build);
      if (sent.ok) return { created: true };
      const { err, tx } = sent;
      const claim = tx.reason(err, 'dedupClaim');
      if (claim?.Code !== 'ConditionalCheckFailed' || !claim.Item) {
        if (failedCondition(tx, err, 'ackCode')) return { created: false, ackCodeTaken: true };
        throw translate(err);
      }
      const claimedBy = String(unmarshall(claim.Item as never).incidentId);
      const existing = await this.get(claimedBy);
      if (existing && (existing.incident.status !== 'resolved' || keepsDedupClaim(existing.incident))) return { created: false, existing };
    }
    throw new ConcurrentModificationError(`dedup key ${incident.dedupKey} kept changing`);
  }

  /** The writes that create an incident (without the clock's). */
  private creation(change: Change, record: IncidentRecord, clock: WriteItem): Transaction {
    const { incident } = change;
    const tx = new Transaction()
      .add({ Put: { TableName: this.tableName, Item: incidentItem(record), ConditionExpression: 'attribute_not_exists(PK)' } }, 'incident')
      .addAll(this.eventPuts(incident.id, change.events))
      .add(clock, 'clock')
      .addAll(this.participationPuts(incident))
      .addAll(communityWrites(this.tableName, null, incident))
      .addAll((change.audit ?? []).map((entry) => auditPut({ ...this.audit, tableName: this.tableName }, entry)));
    if (record.ackCode !== null) {
      tx.add({
        Put: { TableName: this.tableName, Item: { ...ackCodeKey(record.ackCode), entity: 'ackCode', incidentId: incident.id }, ConditionExpression: 'attribute_not_exists(PK)' },
      }, 'ackCode');
    }
    if (incident.dedupKey !== null) {
      tx.add({
        Put: {
          TableName: this.tableName,
          Item: { ...dedupKey(incident.reporter.orgId, incident.dedupKey), entity: 'dedup', incidentId: incident.id },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      }, 'dedupClaim');
    }
    return tx;
  }

  async commit(previous: IncidentRecord, change: Change): Promise<void> {
    const { incident } = change;
    const resolving = previous.incident.status !== 'resolved' && incident.status === 'resolved';
    const build = (addedAt: string | undefined, clock?: WriteItem) => {
      const tx = new Transaction()
        .add(this.guardedIncidentPut(previous, change, addedAt), 'incident')
        .addAll(this.eventPuts(incident.id, change.events));
      if (clock) tx.add(clock, 'clock');
      // Lists filter on status and sort by id: their entries change only with the incident's state.
      if (incident.version !== previous.incident.version || incident.status !== previous.incident.status) {
        tx.addAll(this.participationPuts(incident)).addAll(communityWrites(this.tableName, previous.incident.tlp, incident));
      }
      if (resolving) tx.addAll(this.claimReleases(incident, previous.ackCode));
      // A delivery's record ends its run's claim (delivery-log.ts): whoever claims it next finds it recorded.
      tx.addAll((change.deliveries ?? []).flatMap((delivery) => [this.deliveryPut(delivery), ...(delivery.claimedBy ? [this.claimEnd(delivery, delivery.claimedBy)] : [])]));
      // What a correlated event told, with it: the incident's guard makes both happen once.
      tx.addAll((change.correlations ?? []).map((c) => ({ Put: { TableName: this.tableName, Item: correlationToldItem(c) } })));
      return tx.addAll((change.audit ?? []).map((entry) => auditPut({ ...this.audit, tableName: this.tableName }, entry)));
    };
    // A new version takes the commit clock; service events (notified, escalated) leave it and addedAt as they are.
    let sent: Sent;
    if (incident.version !== previous.incident.version) {
      sent = await this.clock.send(change.events[0]?.at ?? new Date().toISOString(), build);
    } else {
      const tx = build(previous.addedAt);
      sent = await tx.send(this.db).then((): Sent => ({ ok: true }), (err: unknown): Sent => ({ ok: false, err, tx }));
    }
    if (!sent.ok) {
      const { err } = sent;
      const reasons = cancellationReasons(err);
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        throw new ConcurrentModificationError(`incident ${incident.id} changed`, { cause: err });
      }
      throw translate(err);
    }
  }

  /**
   * The incident's new state, written only if nothing changed since `previous` was read (its event
   * count) and, while it was open, only if it is still open: the lifecycle rule (no command after
   * resolve) stated in the database itself.
   */
  private guardedIncidentPut(previous: IncidentRecord, change: Change, addedAt: string | undefined): WriteItem {
    const wasOpen = previous.incident.status !== 'resolved';
    const next: IncidentRecord = {
      incident: change.incident,
      eventCount: previous.eventCount + change.events.length,
      ackCode: change.ackCode === undefined ? previous.ackCode : change.ackCode,
      escalation: change.escalation === undefined ? previous.escalation : change.escalation,
      updateDue: change.updateDue === undefined ? previous.updateDue ?? null : change.updateDue,
      ...(addedAt ? { addedAt } : {}),
    };
    return {
      Put: {
        TableName: this.tableName,
        Item: incidentItem(next),
        ConditionExpression: wasOpen ? 'eventCount = :expected AND #status <> :resolved' : 'eventCount = :expected',
        ExpressionAttributeNames: wasOpen ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: wasOpen ? { ':expected': previous.eventCount, ':resolved': 'resolved' } : { ':expected': previous.eventCount },
      },
    };
  }

  /**
   * Resolving frees the incident's claims: its dedup key (the next report opens a new incident;
   * except a STIX object's, which stays its incident's for good) and its acknowledgement code.
   */
  private claimReleases(incident: Incident, ackCode: string | null): WriteItem[] {
    const release = (Key: { PK: string; SK: string }): WriteItem => ({
      Delete: { TableName: this.tableName, Key, ConditionExpression: 'attribute_not_exists(PK) OR incidentId = :id', ExpressionAttributeValues: { ':id': incident.id } },
    });
    return [
      ...(incident.dedupKey !== null && !keepsDedupClaim(incident) ? [release(dedupKey(incident.reporter.orgId, incident.dedupKey))] : []),
      ...(ackCode !== null ? [release(ackCodeKey(ackCode))] : []),
    ];
  }

  /** The end of `owner`'s claim on a delivery: refused if another run holds it now (its lease ran out and was taken over). */
  private claimEnd(delivery: DeliveryRef, owner: string): WriteItem {
    return {
      Delete: {
        TableName: this.tableName, Key: deliveryClaimKey(delivery.incidentId, delivery.seq, delivery.orgId),
        ConditionExpression: 'attribute_not_exists(PK) OR #owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner },
      },
    };
  }

  /** A delivery is recorded once; a failed one may become sent by a replay, never the other way. */
  private deliveryPut({ claimedBy: _, ...delivery }: NonNullable<Change['deliveries']>[number]): WriteItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: deliveryItem(delivery),
        ConditionExpression: delivery.status === 'sent' ? 'attribute_not_exists(PK) OR #s = :failed' : 'attribute_not_exists(PK)',
        ...(delivery.status === 'sent' ? { ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':failed': 'failed' } } : {}),
      },
    };
  }

  /**
   * One Query: the page's events and one more, which tells whether another page exists (so the
   * last page's cursor is null). A response cut short by DynamoDB's 1 MB read limit still ends
   * the page; its LastEvaluatedKey means more may follow.
   */
  async timeline(id: string, { limit, afterSeq }: TimelinePageQuery): Promise<TimelinePage> {
    const page = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': incidentKey(id).PK, ':prefix': EVENT_PREFIX },
      ConsistentRead: true,
      Limit: limit + 1,
      ExclusiveStartKey: afterSeq === undefined ? undefined : eventKey(id, afterSeq),
    })));
    const events = (page.Items ?? []).map(eventFromItem);
    const more = events.length > limit || (page.LastEvaluatedKey !== undefined && events.length > 0);
    const pageEvents = events.slice(0, limit);
    return { events: pageEvents, lastSeq: more ? pageEvents.at(-1)!.seq : null };
  }

  findOpenByDedupKey(orgId: string, key: string): Promise<IncidentRecord | null> {
    return this.openByClaim(dedupKey(orgId, key));
  }

  async event(id: string, seq: number): Promise<TimelineEvent | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: eventKey(id, seq), ConsistentRead: true })));
    return Item ? eventFromItem(Item) : null;
  }

  findOpenByAckCode(code: string): Promise<IncidentRecord | null> {
    return this.openByClaim(ackCodeKey(code));
  }

  /** The open incident a claim item (dedup key, acknowledgement code) names, if any. */
  private async openByClaim(Key: { PK: string; SK: string }): Promise<IncidentRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true })));
    if (!Item) return null;
    const record = await this.get(String(Item.incidentId));
    return record && record.incident.status !== 'resolved' ? record : null;
  }

  async reportedBetween(from: string, to: string): Promise<Incident[]> {
    // Ids are ULIDs: their first ten characters encode the creation time, a hair before reportedAt.
    const id = (ms: number) => `${INCIDENT_ID_PREFIX}${encodeTime(Math.max(0, ms))}`;
    return (await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :p AND GSI1SK BETWEEN :a AND :b',
      FilterExpression: 'reportedAt >= :from AND reportedAt < :to',
      ExpressionAttributeValues: { ':p': ALL_INCIDENTS, ':a': id(Date.parse(from) - 1000), ':b': `${id(Date.parse(to) + 1000)}~`, ':from': from, ':to': to },
    })).map(incidentFromItem);
  }

  async dueForEscalation(now: string, limit: number): Promise<IncidentRecord[]> {
    const { Items = [] } = await guarded(this.db.send(new QueryCommand({
      TableName: this.tableName,
      IndexName: GSI2.indexName,
      KeyConditionExpression: 'GSI2PK = :p AND GSI2SK <= :now',
      // '~' sorts after every id character: everything due at or before `now`.
      ExpressionAttributeValues: { ':p': ESCALATION_PARTITION, ':now': `${now}~` },
      Limit: limit,
    })));
    return Items.map(recordFromItem);
  }

  async list(query: ListQuery): Promise<ListPage> {
    const { scope } = query;
    const partition = scope.kind === 'all' ? ALL_INCIDENTS : scope.kind === 'community' ? COMMUNITY_INCIDENTS : organizationPartition(scope.orgId);
    const baseKey = (id: string) => scope.kind === 'all' ? incidentKey(id) : scope.kind === 'community' ? communityKey(id) : participationKey(id, scope.orgId);
    const { filter, names, values } = listFilter(query);
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined = query.after
      ? { ...baseKey(query.after), GSI1PK: partition, GSI1SK: query.after }
      : undefined;
    // Read until one more match than the page holds is found, so `lastId` is set only when
    // another page really exists.
    while (items.length <= query.limit) {
      const page = await guarded(this.db.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1.indexName,
        KeyConditionExpression: 'GSI1PK = :partition',
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':partition': partition, ...values },
        ScanIndexForward: false,
        Limit: PAGE_READ,
        ExclusiveStartKey: start,
      })));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    const more = items.length > query.limit;
    const pageItems = items.slice(0, query.limit);
    // An organization's and the community's partitions hold index entries: read the incidents themselves.
    const records = scope.kind === 'all' ? pageItems : await this.itemsById(pageItems.map((i) => String(i.id)));
    const addedAt = new Map(records.flatMap((item) => (typeof item.addedAt === 'string' ? [[String(item.id), item.addedAt] as const] : [])));
    return { items: records.map(incidentFromItem), lastId: more ? String(pageItems.at(-1)!.id) : null, addedAt };
  }

  /** The incidents' items with these ids, in this order. */
  private async itemsById(ids: readonly string[]): Promise<Array<Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>((await batchGetAll(this.db, this.tableName, ids.map(incidentKey))).map((item) => [String(item.id), item]));
    return ids.flatMap((id) => { const item = found.get(id); return item ? [item] : []; });
  }

  private eventPuts(incidentId: string, events: TimelineEvent[]): WriteItem[] {
    return events.map((event) => ({
      Put: { TableName: this.tableName, Item: eventItem(incidentId, event), ConditionExpression: 'attribute_not_exists(PK)' },
    }));
  }

  private participationPuts(incident: Incident): WriteItem[] {
    return incident.participants.map((orgId) => ({ Put: { TableName: this.tableName, Item: participationItem(incident, orgId) } }));
  }

}

/**
 * The writes that keep an incident's community entry (its place in `GET /v1/incidents?scope=community`)
 * true to its TLP, given the TLP it had before this write (`null` when it is created) and its new
 * state: put (with the new status and fields) while it is GREEN or CLEAR; deleted when its label
 * narrows from GREEN or CLEAR to AMBER, AMBER+STRICT or RED; nothing otherwise. Every transaction
 * that writes a new version of an incident adds these (report and commit do), so a TLP change moves
 * the entry in the same write as the change itself.
 */
export function communityWrites(tableName: string, previousTlp: Tlp | null, incident: Incident): WriteItem[] {
  if (isCommunity(incident.tlp)) return [{ Put: { TableName: tableName, Item: communityItem(incident) } }];
  if (previousTlp !== null && isCommunity(previousTlp)) return [{ Delete: { TableName: tableName, Key: communityKey(incident.id) } }];
  return [];
}

function listFilter(query: ListQuery) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.status) {
    clauses.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  if (query.severity) {
    clauses.push('severity = :severity');
    values[':severity'] = query.severity;
  }
  if (query.participant) {
    clauses.push('contains(participants, :participant)');
    values[':participant'] = query.participant;
  }
  if (query.restrictedVisibleTo) {
    // The domain's own list of restricted TLPs, never written out again here.
    const restricted = RESTRICTED_TLPS.map((_, i) => `:restricted${i}`);
    clauses.push(`(NOT tlp IN (${restricted.join(', ')}) OR contains(participants, :viewer))`);
    RESTRICTED_TLPS.forEach((tlp, i) => { values[`:restricted${i}`] = tlp; });
    values[':viewer'] = query.restrictedVisibleTo;
  }
  return {
    filter: clauses.length ? clauses.join(' AND ') : undefined,
    names: Object.keys(names).length ? names : undefined,
    values,
  };
}
