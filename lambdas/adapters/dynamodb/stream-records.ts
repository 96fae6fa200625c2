/**
 * The table's stream, decoded: stream records in, domain values out. The stream consumers know
 * neither the SDK's attribute values nor key formats; the CDK stack filters the stream by the same
 * entity names.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Incident, TimelineEvent } from '../../domain/incident';
import { ENTITY, eventFromItem, incidentFromItem } from './incident-items';
import { incidentIdOfPartition } from './keys';


/**
 * The item's entity, read from the raw image before anything else is decoded: records of other
 * entities (organizations, audit entries…) are skipped unread, so nothing in them can fail a batch.
 */
const entityOf = (image: Record<string, unknown> | undefined) => (image?.entity as { S?: string } | undefined)?.S;

/** The timeline event a stream record inserts, if it inserts one. */
export function insertedTimelineEvent(record: DynamoDBRecord): { incidentId: string; event: TimelineEvent } | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image || entityOf(image) !== ENTITY.event) return null;
  const item = unmarshall(image as never);
  if (item.entity !== ENTITY.event || typeof item.PK !== 'string') return null;
  return { incidentId: incidentIdOfPartition(item.PK), event: eventFromItem(item) };
}

/** The incident a stream record creates or changes, before and after, if it is one. */
export function changedIncident(record: DynamoDBRecord): { before: Incident | null; after: Incident } | null {
  const image = record.dynamodb?.NewImage;
  if ((record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !image || entityOf(image) !== ENTITY.incident) return null;
  const after = unmarshall(image as never);
  if (after.entity !== ENTITY.incident) return null;
  const old = record.dynamodb?.OldImage;
  return { before: old ? incidentFromItem(unmarshall(old as never)) : null, after: incidentFromItem(after) };
}
