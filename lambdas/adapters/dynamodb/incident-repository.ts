/**
 * IncidentRepository on DynamoDB. Every change is ONE TransactWriteItems: the incident (guarded by
 * its event count and, for lifecycle commands, by its status), its new timeline events, the
 * participation copies, and the dedup claim. Either all of it is written or none.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConcurrentModificationError } from '../../domain/errors';
import type { Change, Incident, IncidentRecord, TimelineEvent } from '../../domain/incident';
import type { CreateResult, IncidentRepository, ListPage, ListQuery } from '../../domain/ports';
import { cancellationReasons, guarded, translate } from './errors';
import {
  ALL_INCIDENTS, EVENT_PREFIX, dedupKey, eventFromItem, eventItem, incidentFromItem, incidentItem, incidentKey,
  organizationPartition, participationItem, participationKey, recordFromItem,
} from './incident-items';
import { GSI1 } from './table';

type WriteItem = NonNullable<TransactWriteCommand['input']['TransactItems']>[number];

/** How many items one list Query reads at most; filters may discard some of them. */
const PAGE_READ = 100;
/** A dedup claim can be released between our failed claim and our read of it: try again, briefly. */
const CREATE_ATTEMPTS = 5;

export class DynamoIncidentRepository implements IncidentRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(id: string): Promise<IncidentRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true })));
    return Item ? recordFromItem(Item) : null;
  }

  async create(change: Change): Promise<CreateResult> {
    const { incident } = change;
    const items: WriteItem[] = [
      { Put: { TableName: this.tableName, Item: incidentItem(incident, change.events.length), ConditionExpression: 'attribute_not_exists(PK)' } },
      ...this.eventPuts(incident.id, change.events),
      ...this.participationPuts(incident),
    ];
    if (incident.dedupKey !== null) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...dedupKey(incident.reporter.orgId, incident.dedupKey), entity: 'dedup', incidentId: incident.id },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return { created: true };
      } catch (err) {
        const claim = cancellationReasons(err)?.at(-1);
        if (incident.dedupKey === null || claim?.Code !== 'ConditionalCheckFailed' || !claim.Item) throw translate(err);
        const claimedBy = String(unmarshall(claim.Item as never).incidentId);
        const existing = await this.get(claimedBy);
        if (existing && existing.incident.status !== 'resolved') return { created: false, existing };
      }
    }
    throw new ConcurrentModificationError(`dedup key ${incident.dedupKey} kept changing`);
  }

  async commit(previous: IncidentRecord, change: Change): Promise<void> {
    const { incident } = change;
    const wasOpen = previous.incident.status !== 'resolved';
    const items: WriteItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: incidentItem(incident, previous.eventCount + change.events.length),
          // The event count proves nothing changed since the read; the status condition states the
          // lifecycle rule (no command after resolve) in the database itself.
          ConditionExpression: wasOpen ? 'eventCount = :expected AND #status <> :resolved' : 'eventCount = :expected',
          ExpressionAttributeNames: wasOpen ? { '#status': 'status' } : undefined,
          ExpressionAttributeValues: wasOpen ? { ':expected': previous.eventCount, ':resolved': 'resolved' } : { ':expected': previous.eventCount },
        },
      },
      ...this.eventPuts(incident.id, change.events),
    ];
    if (incident.version !== previous.incident.version || incident.status !== previous.incident.status) {
      items.push(...this.participationPuts(incident));
    }
    if (wasOpen && incident.status === 'resolved' && incident.dedupKey !== null) {
      // Resolving frees the dedup key: the next report with it opens a new incident.
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: dedupKey(incident.reporter.orgId, incident.dedupKey),
          ConditionExpression: 'attribute_not_exists(PK) OR incidentId = :id',
          ExpressionAttributeValues: { ':id': incident.id },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        throw new ConcurrentModificationError(`incident ${incident.id} changed`, { cause: err });
      }
      throw translate(err);
    }
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await guarded(this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': incidentKey(id).PK, ':prefix': EVENT_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      })));
      events.push(...(page.Items ?? []).map(eventFromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return events;
  }

  async findOpenByDedupKey(orgId: string, key: string): Promise<IncidentRecord | null> {
    const { Item } = await guarded(this.db.send(new GetCommand({ TableName: this.tableName, Key: dedupKey(orgId, key), ConsistentRead: true })));
    if (!Item) return null;
    const record = await this.get(String(Item.incidentId));
    return record && record.incident.status !== 'resolved' ? record : null;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const partition = query.scope.kind === 'all' ? ALL_INCIDENTS : organizationPartition(query.scope.orgId);
    const baseKey = (id: string) => query.scope.kind === 'all' ? incidentKey(id) : participationKey(id, query.scope.orgId);
    const { filter, names, values } = listFilter(query);
    const items: Incident[] = [];
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
      items.push(...(page.Items ?? []).map(incidentFromItem));
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    const more = items.length > query.limit;
    const pageItems = items.slice(0, query.limit);
    return { items: pageItems, lastId: more ? pageItems.at(-1)!.id : null };
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
    clauses.push('(NOT tlp IN (:red, :strict) OR contains(participants, :viewer))');
    Object.assign(values, { ':red': 'RED', ':strict': 'AMBER+STRICT', ':viewer': query.restrictedVisibleTo });
  }
  return {
    filter: clauses.length ? clauses.join(' AND ') : undefined,
    names: Object.keys(names).length ? names : undefined,
    values,
  };
}
