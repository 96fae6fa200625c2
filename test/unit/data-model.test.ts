/**
 * docs/data-model.md states the single table's keys exactly as the key registry
 * (lambdas/adapters/dynamodb/keys.ts) does, and the registry's formats are what its functions build:
 * a key changed in code and not in the docs (or the other way round) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as K from '../../lambdas/adapters/dynamodb/keys';
import { GRANULARITIES } from '../../lambdas/domain/metrics/calendar';
import { SHARED, restrictedScope } from '../../lambdas/domain/metrics/contributions';
import { TABLE_HEADER, tableRow } from '../support/data-model';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'data-model.md'), 'utf8');
const byItem = (prefix: string) => K.ITEMS.find((i) => i.item.startsWith(prefix))!;

it('docs/data-model.md shows the key table of the registry, every item and nothing else', () => {
  const lines = doc.split('\n');
  const start = lines.indexOf(TABLE_HEADER[0]!);
  expect(start).toBeGreaterThan(-1);
  const documented = lines.slice(start, lines.findIndex((l, i) => i > start && !l.startsWith('|')));
  expect(documented).toEqual([...TABLE_HEADER, ...K.ITEMS.map(tableRow)]);
});

it('names every metrics bucket size, ISSUER# and AUDIT# items', () => {
  expect(byItem('metrics bucket').pk).toBe(`METRICS#<scope>#<group>#<${GRANULARITIES.join('|')}>[#<shard>]`);
  expect(GRANULARITIES).toHaveLength(6);
  expect(K.ITEMS.map((i) => i.pk)).toEqual(expect.arrayContaining(['ISSUER#<iss>', 'AUDIT#<incidentId>']));
});

/** A documented format as a pattern: `<name>` is any text, `<a|b>` one of the names, `[…]` optional. */
const pattern = (format: string) => new RegExp(`^${format.split(/(<[^>]*>|\[|\])/).map((part) => {
  if (part === '[') return '(?:';
  if (part === ']') return ')?';
  if (!part.startsWith('<')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const inner = part.slice(1, -1);
  return inner.includes('|') ? `(?:${inner.split('|').join('|')})` : '.+';
}).join('')}$`);
const index = (format: string) => format.split(' / ') as [string, string];

it.each<[string, { PK: string; SK: string }, Record<string, unknown>?]>([
  ['incident', K.incidentKey('inc_01J'), { GSI1: [K.ALL_INCIDENTS, 'inc_01J'], GSI2: [K.ESCALATION_PARTITION, K.escalationSortKey('2026-12-01T00:00:00.000Z', 'inc_01J')] }],
  ['participation', K.participationKey('inc_01J', 'cisa'), { GSI1: [K.organizationPartition('cisa'), 'inc_01J'] }],
  ['community entry', K.communityKey('inc_01J'), { GSI1: [K.COMMUNITY_INCIDENTS, 'inc_01J'] }],
  ['timeline event', K.eventKey('inc_01J', 7)],
  ['delivery', K.deliveryKey('inc_01J', 7, 'fbi'), { GSI1: [K.FAILED_DELIVERIES, K.failedDeliverySortKey('inc_01J', 7, 'fbi')] }],
  ['claim of a delivery', K.deliveryClaimKey('inc_01J', 7, 'fbi'), { GSI1: [K.FAILED_DELIVERIES, K.heldClaimSortKey('inc_01J', 7, 'fbi')] }],
  ['dedup claim', K.dedupKey('cisa', 'disk-full')],
  ['acknowledgement code claim', K.ackCodeKey('4821')],
  ['organization', K.organizationKey('cisa'), { GSI1: [K.ORGANIZATIONS, 'cisa'] }],
  ['API key', K.apiKeyKey('key_0123'), { GSI1: [K.MANAGER_KEYS, K.managerKeySortKey('cisa', 'key_0123')], GSI2: [K.organizationKeys('cisa'), 'key_0123'] }],
  ['phone', K.phoneKey('+12025550101', 'cisa')],
  ['issuer', K.issuerKey('https://login.example', 'cisa')],
  ['audit entry', { PK: K.auditPartition('inc_01J'), SK: '2026-12-01T00:00:00.000Z#0123456789abc' }, { GSI1: [K.auditDayPartition('2026-12-01'), '2026-12-01T00:00:00.000Z#0123456789abc'] }],
  ['ACK attempts of a phone', K.attemptsKey('sms-ack#+12025550101')],
  ['rate counter', K.rateKey('events#key_0123', 1764547200)],
  ['metrics bucket', K.bucketKey(restrictedScope('cisa'), 'severity#high', 'hour6', '2026-12-01T06:00:00.000Z')],
  ['metrics contributions', K.bucketKey(SHARED, 'all', 'contributions', '2026-12-01T06:01:00.000Z')],
  ['metrics bucket', K.bucketKey(SHARED, 'all', 'day', '2026-12-01T00:00:00.000Z', 3)],
  ['metrics contributions', K.bucketKey(SHARED, 'all', 'contributions', '2026-12-01T06:01:00.000Z', 3)],
  ['audit entry', { PK: K.auditPartition('inc_01J'), SK: '2026-12-01T00:00:00.000Z#0123456789abc' }, { GSI1: [K.auditDayPartition('2026-12-01', 3), '2026-12-01T00:00:00.000Z#0123456789abc'] }],
  ['metrics "applied" marker', K.appliedMarkerKey({ incidentId: 'inc_01J', kind: 'resolved', scope: SHARED, group: 'all' })],
  ['metrics layout marker', K.LAYOUT_KEY],
  ['TAXII status', K.taxiiStatusKey('0d4a6f5e')],
])('the %s keys the registry builds have its documented format', (item, key, indexes = {}) => {
  const spec = byItem(item);
  expect(key.PK).toMatch(pattern(spec.pk));
  expect(key.SK).toMatch(pattern(spec.sk));
  for (const [name, format] of [['GSI1', spec.gsi1], ['GSI2', spec.gsi2]] as const) {
    const built = indexes[name] as [string, string] | undefined;
    if (format === '—') { expect(built).toBeUndefined(); continue; }
    const [pk, sk] = index(format);
    expect(built).toBeDefined();
    expect(built![0]).toMatch(pattern(pk));
    expect(built![1]).toMatch(pattern(sk));
  }
});

it('every bucket size the metrics write has a key of the documented format', () => {
  for (const g of GRANULARITIES) expect(K.bucketKey(SHARED, 'all', g, '2026-12-01T00:00:00.000Z').PK).toMatch(pattern(byItem('metrics bucket').pk));
  expect(K.bucketKey(SHARED, 'all', 'contributions', '2026-12-01T00:00:00.000Z').PK).not.toMatch(pattern(byItem('metrics bucket').pk));
});

it('write shard 0 is the unsharded key, and ids spread over every shard', () => {
  expect(K.bucketKey(SHARED, 'all', 'day', '2026-12-01T00:00:00.000Z', 0).PK).toBe('METRICS#shared#all#day');
  expect(K.bucketKey(SHARED, 'all', 'day', '2026-12-01T00:00:00.000Z', 2).PK).toBe('METRICS#shared#all#day#2');
  expect(K.auditDayPartition('2026-12-01')).toBe('AUDIT#2026-12-01');
  expect(K.writeShard('inc_01J', 1)).toBe(0);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[K.writeShard(`inc_${i.toString(36)}`, 4)]!++;
  for (const n of counts) expect(n).toBeGreaterThan(800);
  expect(K.writeShard('inc_01J', 4)).toBe(K.writeShard('inc_01J', 4));
});

it('the audit entries about no incident share the AUDIT#- partition', () => {
  expect(K.auditPartition()).toBe('AUDIT#-');
  expect(K.auditPartition()).toMatch(pattern(byItem('audit entry').pk));
});
