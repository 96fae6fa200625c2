/**
 * The key registry: every key of the single table — PK/SK, GSI1PK/GSI1SK, GSI2PK/GSI2SK — is
 * written here and nowhere else (test/unit/structure.test.ts fails on a key string built in any
 * other file, and test/unit/data-model.test.ts keeps docs/data-model.md's table equal to ITEMS).
 *
 * ITEMS below lists each kind of item and its keys' formats; the functions after it build them.
 * <scope> is `shared` or `restricted#<orgId>`; <seq> is 10 digits, zero-padded, so it sorts as text.
 *
 * Access patterns (each is one request unless said otherwise):
 *   get an incident            GetItem INC#<id> / INCIDENT (consistent)
 *   an incident's timeline     Query PK = INC#<id> AND begins_with(SK, EVT#), a page at a time
 *   an organization's list     Query GSI1 ORG#<orgId>#INCIDENTS newest first, then BatchGetItem of the page's incidents
 *   a manager's list           Query GSI1 INCIDENTS newest first (the TLP rule in the filter)
 *   the community's list       Query GSI1 COMMUNITY#INCIDENTS newest first (GREEN and CLEAR), then BatchGetItem of the page's incidents
 *   reported in a window       Query GSI1 INCIDENTS between the ids of its ends (ids are ULIDs)
 *   due for the timer          Query GSI2 ESCALATION, SK <= <now>~ (an escalation, or an overdue status update's reminder)
 *   open incident by dedup key GetItem DEDUP#<orgId>#<dedupKey>, then the incident
 *   incident by ack code       GetItem ACKCODE#<code>, then the incident
 *   notified already?          ConditionCheck DLV#<seq>#<orgId> beside each claim (one TransactWriteItems); BatchGetItem on a retried record
 *   failed deliveries          Query GSI1 DELIVERIES#failed (held delivery claims included)
 *   claim a delivery           Put CLAIM#<id>#<seq>#<orgId> if absent or its lease has ended (in one TransactWriteItems per
 *                              50 deliveries); its record Deletes it if still its run's; UpdateItem to let an unrecorded one go
 *   claim a chat delivery      UpdateItem CHATDLV#<seq>#<channel> if unsent and unheld (ALL_OLD: how many runs tried it)
 *   failed chat deliveries     Query GSI1 CHAT#failed
 *   an incident's chat message GetItem INC#<id> / CHATMSG#<channel>
 *   authenticate a key         GetItem KEY#<keyId> (+ UpdateItem of lastUsedAt at most once a minute)
 *   an organization's keys     Query GSI2 ORG#<orgId>#KEYS
 *   who escalates (managers)   Query GSI1 KEYS#manager
 *   every organization         Query GSI1 ORGS
 *   an organization's schedules Query PK = ORG#<orgId> AND begins_with(SK, SCHEDULE#)
 *   every schedule             Query GSI1 SCHEDULES (shift notices)
 *   a schedule, a policy       GetItem ORG#<orgId> / SCHEDULE#<id>, ORG#<orgId> / ESCALATION
 *   pagings due for the timer  Query GSI2 PAGING, SK <= <now>~
 *   who texts from a phone     Query PK = PHONE#<e164>
 *   who trusts an issuer       Query PK = ISSUER#<iss>
 *   an incident's audit trail  Query PK = AUDIT#<incidentId>
 *   the audit trail, a window  Query GSI1 AUDIT#<day> for each day of it
 *   rate limit                 UpdateItem ADD on RATE#<bucket>#<window start>
 *   ACK attempts of a phone    GetItem ATTEMPTS#<bucket> (consistent), then PutItem conditional on its version
 *   an admin's hidden day      Query GSI1 AUDIT#<day>, restricted entries not the admin's, projected to who and which request
 *   metrics, a window          BatchGetItem of the short runs' buckets + one Query per long run (SK BETWEEN), per scope and group
 *   metrics, one contribution  TransactWriteItems: its marker, its bucket of each size, its minute's contributions
 *   TAXII status               GetItem TAXIISTATUS#<statusId>
 *   commit clock               a conditional Put of COMMITS / CLOCK in every transaction that makes a new version
 *   incidents with observable  Query PK = OBS#<type>#<hash> newest first (the correlation index; the lookup)
 *   what a match told          BatchGetItem INC#<id> / CORR#<otherId> (written with the `correlated` event)
 */
import { createHash } from 'node:crypto';
import { GRANULARITIES, type Granularity } from '../../domain/metrics/calendar';
import type { MetricKind, Scope } from '../../domain/metrics/contributions';

// ---- the registry: what docs/data-model.md shows ----

/** One kind of item: its keys' formats, as docs/data-model.md's table shows them. `—`: not on that index. */
export interface ItemKeys { item: string; pk: string; sk: string; gsi1: string; gsi2: string }

const NONE = '—';
const SIZES = `<${GRANULARITIES.join('|')}>`;

export const ITEMS: readonly ItemKeys[] = [
  { item: 'incident (on GSI2 while an escalation or a status update\'s reminder is pending: the earlier due time)', pk: 'INC#<id>', sk: 'INCIDENT', gsi1: 'INCIDENTS / <id>', gsi2: 'ESCALATION / <dueAt>#<id>' },
  { item: 'participation (index entry: id, status, severity, TLP, participants)', pk: 'INC#<id>', sk: 'PART#<orgId>', gsi1: 'ORG#<orgId>#INCIDENTS / <id>', gsi2: NONE },
  { item: 'community entry (index entry of a GREEN or CLEAR incident, as a participation; removed when its TLP narrows)', pk: 'INC#<id>', sk: 'COMMUNITY', gsi1: 'COMMUNITY#INCIDENTS / <id>', gsi2: NONE },
  { item: 'timeline event', pk: 'INC#<id>', sk: 'EVT#<seq>', gsi1: NONE, gsi2: NONE },
  { item: 'delivery (one per event and organization notified; on GSI1 while failed)', pk: 'INC#<id>', sk: 'DLV#<seq>#<orgId>', gsi1: 'DELIVERIES#failed / <id>#<seq>#<orgId>', gsi2: NONE },
  { item: 'claim of a delivery before it is published (owner and lease; on GSI1 while held, so a replay finds one its run left)', pk: 'CLAIM#<id>#<seq>#<orgId>', sk: 'CLAIM', gsi1: 'DELIVERIES#failed / <id>#<seq>#<orgId>#claim', gsi2: NONE },
  { item: 'chat delivery (one per event and chat channel: its claim, tries and outcome; on GSI1 while claimed or failed)', pk: 'INC#<id>', sk: 'CHATDLV#<seq>#<channel>', gsi1: 'CHAT#failed / <id>#<seq>#<channel>', gsi2: NONE },
  { item: 'chat message of an incident in one channel (Slack\'s ts, or the mark set before posting it)', pk: 'INC#<id>', sk: 'CHATMSG#<channel>', gsi1: NONE, gsi2: NONE },
  { item: 'dedup claim', pk: 'DEDUP#<orgId>#<dedupKey>', sk: 'DEDUP', gsi1: NONE, gsi2: NONE },
  { item: 'acknowledgement code claim', pk: 'ACKCODE#<code>', sk: 'ACKCODE', gsi1: NONE, gsi2: NONE },
  { item: 'organization', pk: 'ORG#<id>', sk: 'ORG', gsi1: 'ORGS / <id>', gsi2: NONE },
  { item: 'API key (its hash only; revoked ones kept with revokedAt; on GSI1 while an active manager key)', pk: 'KEY#<keyId>', sk: 'KEY', gsi1: 'KEYS#manager / <orgId>#<keyId>', gsi2: 'ORG#<orgId>#KEYS / <keyId>' },
  { item: 'on-call schedule (its spec and calendar feed generation)', pk: 'ORG#<orgId>', sk: 'SCHEDULE#<scheduleId>', gsi1: 'SCHEDULES / <orgId>#<scheduleId>', gsi2: NONE },
  { item: 'claim of a shift notice (sent once per shift; expires by TTL)', pk: 'SHIFTNOTICE#<orgId>#<scheduleId>#<from>#<contact>', sk: 'NOTICE', gsi1: NONE, gsi2: NONE },
  { item: 'shift notices\' progress (until when they were sent)', pk: 'SHIFTNOTICES', sk: 'UNTIL', gsi1: NONE, gsi2: NONE },
  { item: 'escalation policy of an organization', pk: 'ORG#<orgId>', sk: 'ESCALATION', gsi1: NONE, gsi2: NONE },
  { item: 'paging of an incident by an organization\'s escalation policy (its last level and when the next is due; on GSI2 while one is)', pk: 'PAGING#<incidentId>', sk: '<orgId>', gsi1: NONE, gsi2: 'PAGING / <dueAt>#<incidentId>#<orgId>' },
  { item: 'phone (for SMS acknowledgement)', pk: 'PHONE#<e164>', sk: 'ORG#<orgId>', gsi1: NONE, gsi2: NONE },
  { item: 'issuer (who trusts an identity provider, and how)', pk: 'ISSUER#<iss>', sk: 'ORG#<orgId>', gsi1: NONE, gsi2: NONE },
  { item: 'audit entry (`AUDIT#-` when about no incident; the sort key is the entry id)', pk: 'AUDIT#<incidentId>', sk: '<at>#<random>', gsi1: 'AUDIT#<yyyy-mm-dd>[#<shard>] / <at>#<random>', gsi2: NONE },
  { item: 'ACK attempts of a phone (times of the last ones heard, a version; expires by TTL)', pk: 'ATTEMPTS#<bucket>', sk: 'ATTEMPTS', gsi1: NONE, gsi2: NONE },
  { item: 'rate counter (expires by TTL)', pk: 'RATE#<bucket>#<window start>', sk: 'RATE', gsi1: NONE, gsi2: NONE },
  { item: 'metrics bucket', pk: `METRICS#<scope>#<group>#${SIZES}[#<shard>]`, sk: '<bucket start, ISO>', gsi1: NONE, gsi2: NONE },
  { item: 'metrics contributions of a minute', pk: 'METRICS#<scope>#<group>#contributions[#<shard>]', sk: '<minute start, ISO>', gsi1: NONE, gsi2: NONE },
  { item: 'metrics "applied" marker (folded or un-folded, at which version; expires by TTL a week after its last write)', pk: 'MAPPLIED#<incidentId>', sk: '<kind>#<scope>#<group>', gsi1: NONE, gsi2: NONE },
  { item: 'metrics layout marker (when buckets of every size began)', pk: 'METRICS#layout', sk: 'all-sizes', gsi1: NONE, gsi2: NONE },
  { item: 'TAXII status resource (expires by TTL after 7 days)', pk: 'TAXIISTATUS#<statusId>', sk: 'TAXIISTATUS', gsi1: NONE, gsi2: NONE },
  { item: 'commit clock (the last time it gave a new version: incidents\' addedAt, TAXII\'s date_added)', pk: 'COMMITS', sk: 'CLOCK', gsi1: NONE, gsi2: NONE },
  { item: 'correlation index entry (an incident carries this observable; <hash>: SHA-256 of its canonical identity; written on the stream)', pk: 'OBS#<type>#<hash>', sk: '<incidentId>', gsi1: NONE, gsi2: NONE },
  { item: 'correlation told (the shared observables an incident\'s `correlated` events named of another; written with them)', pk: 'INC#<id>', sk: 'CORR#<otherId>', gsi1: NONE, gsi2: NONE },
];

// ---- the keys themselves ----

type Key = { PK: string; SK: string };

/** Event and delivery sequence numbers sort as text. */
const seqKey = (seq: number) => String(seq).padStart(10, '0');

// incidents
const INCIDENT_PARTITION = 'INC#';
export const incidentKey = (id: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: 'INCIDENT' });
/** The incident id of an `INC#<id>` partition key. */
export const incidentIdOfPartition = (pk: string) => pk.slice(INCIDENT_PARTITION.length);
/** GSI1: every incident, by id. */
export const ALL_INCIDENTS = 'INCIDENTS';
/** GSI2: the open, unacknowledged incidents, by due time. */
export const ESCALATION_PARTITION = 'ESCALATION';
export const escalationSortKey = (dueAt: string, id: string) => `${dueAt}#${id}`;
export const participationKey = (id: string, orgId: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `PART#${orgId}` });
/** GSI1: one organization's incidents. */
export const organizationPartition = (orgId: string) => `ORG#${orgId}#INCIDENTS`;
/** An incident's entry in the community's list while it is GREEN or CLEAR. */
export const communityKey = (id: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: 'COMMUNITY' });
/** GSI1: the community's incidents (GREEN and CLEAR), by id. */
export const COMMUNITY_INCIDENTS = 'COMMUNITY#INCIDENTS';
export const EVENT_PREFIX = 'EVT#';
export const eventKey = (id: string, seq: number): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `${EVENT_PREFIX}${seqKey(seq)}` });
export const deliveryKey = (id: string, seq: number, orgId: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `DLV#${seqKey(seq)}#${orgId}` });
/** GSI1: the failed deliveries waiting for a replay. */
export const FAILED_DELIVERIES = 'DELIVERIES#failed';
export const failedDeliverySortKey = (id: string, seq: number, orgId: string) => `${id}#${seqKey(seq)}#${orgId}`;
/** A run's claim on a delivery, and where a held one is listed with the failed deliveries. */
export const deliveryClaimKey = (id: string, seq: number, orgId: string): Key => ({ PK: `CLAIM#${id}#${seqKey(seq)}#${orgId}`, SK: 'CLAIM' });
export const heldClaimSortKey = (id: string, seq: number, orgId: string) => `${failedDeliverySortKey(id, seq, orgId)}#claim`;
/** One (event, chat channel) delivery; `channel` is domain/chat.ts channelKey (`slack.<team>.<channel>`, `teams.<hash>`). */
export const chatDeliveryKey = (id: string, seq: number, channel: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `CHATDLV#${seqKey(seq)}#${channel}` });
/** GSI1: chat deliveries that failed, or whose run died holding them. */
export const FAILED_CHAT = 'CHAT#failed';
export const failedChatSortKey = (id: string, seq: number, channel: string) => `${id}#${seqKey(seq)}#${channel}`;
/** An incident's message in one chat channel. */
export const chatThreadKey = (id: string, channel: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `CHATMSG#${channel}` });
export const dedupKey = (orgId: string, key: string): Key => ({ PK: `DEDUP#${orgId}#${key}`, SK: 'DEDUP' });
export const ackCodeKey = (code: string): Key => ({ PK: `ACKCODE#${code}`, SK: 'ACKCODE' });
/** One item: every transaction that makes a new version moves it, on condition (incident-items.ts). */
export const COMMIT_CLOCK_KEY: Key = { PK: 'COMMITS', SK: 'CLOCK' };

// the directory
export const organizationKey = (id: string): Key => ({ PK: `ORG#${id}`, SK: 'ORG' });
/** GSI1: every organization. */
export const ORGANIZATIONS = 'ORGS';
/** Where the API key items are: IAM narrows the authorizer's UpdateItem to partition keys starting so. */
export const API_KEY_PREFIX = 'KEY#';
export const apiKeyKey = (keyId: string): Key => ({ PK: `${API_KEY_PREFIX}${keyId}`, SK: 'KEY' });
/** GSI1: the active manager keys (who escalations reach). */
export const MANAGER_KEYS = 'KEYS#manager';
export const managerKeySortKey = (orgId: string, keyId: string) => `${orgId}#${keyId}`;
/** GSI2: one organization's keys. */
export const organizationKeys = (orgId: string) => `ORG#${orgId}#KEYS`;
/** An organization's on-call schedules, beside its entry; its escalation policy. */
export const SCHEDULE_PREFIX = 'SCHEDULE#';
export const scheduleKey = (orgId: string, id: string): Key => ({ PK: `ORG#${orgId}`, SK: `${SCHEDULE_PREFIX}${id}` });
export const schedulesPartition = (orgId: string) => `ORG#${orgId}`;
/** GSI1: every schedule of every organization. */
export const ALL_SCHEDULES = 'SCHEDULES';
export const allSchedulesSortKey = (orgId: string, id: string) => `${orgId}#${id}`;
export const shiftNoticeKey = (orgId: string, scheduleId: string, from: string, contact: string): Key => ({ PK: `SHIFTNOTICE#${orgId}#${scheduleId}#${from}#${contact}`, SK: 'NOTICE' });
export const SHIFT_NOTICES_KEY: Key = { PK: 'SHIFTNOTICES', SK: 'UNTIL' };
export const escalationPolicyKey = (orgId: string): Key => ({ PK: `ORG#${orgId}`, SK: 'ESCALATION' });
/** An organization's paging of an incident by its escalation policy; GSI2: the pagings by due time. */
export const pagingKey = (incidentId: string, orgId: string): Key => ({ PK: `PAGING#${incidentId}`, SK: orgId });
export const PAGING_PARTITION = 'PAGING';
export const pagingSortKey = (dueAt: string, incidentId: string, orgId: string) => `${dueAt}#${incidentId}#${orgId}`;
export const phonePartition = (phone: string) => `PHONE#${phone}`;
export const phoneKey = (phone: string, orgId: string): Key => ({ PK: phonePartition(phone), SK: `ORG#${orgId}` });
export const issuerPartition = (issuer: string) => `ISSUER#${issuer}`;
export const issuerKey = (issuer: string, orgId: string): Key => ({ PK: issuerPartition(issuer), SK: `ORG#${orgId}` });

// write shards
/**
 * Which of `shards` partitions a write of `id` goes to: FNV-1a of the id, so one audit entry (or
 * one stream batch's metrics, by its first incident) always goes to the same shard, and a busy
 * hour's writes spread evenly over all. Shard 0 is the unsharded key itself: a table written with one shard reads as shard 0, so
 * the number may be raised at any time (never lowered: reads look only at shards below it).
 */
export function writeShard(id: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return hash % shards;
}
const sharded = (partition: string, shard: number) => (shard === 0 ? partition : `${partition}#${shard}`);

// the audit trail
/** Where audit entries are: IAM narrows reading functions' PutItem to partition keys starting so. */
export const AUDIT_PREFIX = 'AUDIT#';
const NO_INCIDENT = '-';
/** One incident's entries (or `AUDIT#-`, the entries about no incident); the sort key is the entry's id. */
export const auditPartition = (incidentId?: string) => `${AUDIT_PREFIX}${incidentId ?? NO_INCIDENT}`;
/** GSI1: one day's entries (`yyyy-mm-dd`), in write shard `shard` (see writeShard). */
export const auditDayPartition = (day: string, shard = 0) => sharded(`${AUDIT_PREFIX}${day}`, shard);

// rate limits
/** A sliding window of attempts (inbound SMS `ACK`s per phone). */
export const attemptsKey = (bucket: string): Key => ({ PK: `ATTEMPTS#${bucket}`, SK: 'ATTEMPTS' });
export const rateKey = (bucket: string, windowStart: number): Key => ({ PK: `RATE#${bucket}#${windowStart}`, SK: 'RATE' });

// metrics
export const scopeKey = (scope: Scope) => (scope.kind === 'shared' ? 'shared' : `restricted#${scope.orgId}`);
/** One size of buckets of a scope and group, in write shard `shard` (see writeShard). */
export const bucketPartition = (scope: Scope, group: string, granularity: Granularity | 'contributions', shard = 0) => sharded(`METRICS#${scopeKey(scope)}#${group}#${granularity}`, shard);
/** A bucket (by its start) or a minute's contributions (by the minute's start), in write shard `shard`. */
export const bucketKey = (scope: Scope, group: string, granularity: Granularity | 'contributions', start: string, shard = 0): Key => ({ PK: bucketPartition(scope, group, granularity, shard), SK: start });
/** The partition prefix of every "applied" marker (an aggregator's transaction starts with them). */
export const APPLIED_PREFIX = 'MAPPLIED#';
export const appliedMarkerKey = (c: { incidentId: string; kind: MetricKind; scope: Scope; group: string }): Key => ({ PK: `${APPLIED_PREFIX}${c.incidentId}`, SK: `${c.kind}#${scopeKey(c.scope)}#${c.group}` });
export const LAYOUT_KEY: Key = { PK: 'METRICS#layout', SK: 'all-sizes' };

// TAXII
export const taxiiStatusKey = (id: string): Key => ({ PK: `TAXIISTATUS#${id}`, SK: 'TAXIISTATUS' });

// correlation
/**
 * The correlation index's partition of one observable: its type and the SHA-256 of its canonical
 * identity (observables.ts `observableKey`), since a URL may be longer than a key may be.
 */
export const observablePartition = (type: string, identity: string) => `OBS#${type}#${createHash('sha256').update(identity, 'utf8').digest('hex')}`;
export const observableEntryKey = (type: string, identity: string, incidentId: string): Key => ({ PK: observablePartition(type, identity), SK: incidentId });
/** What incident `id`'s correlated events told of incident `otherId`. */
export const correlationToldKey = (id: string, otherId: string): Key => ({ PK: `${INCIDENT_PARTITION}${id}`, SK: `CORR#${otherId}` });
