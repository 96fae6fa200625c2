import { auditItem } from '../../lambdas/adapters/dynamodb/audit-log';
import { SUMMARY_POSITION_PATTERN, auditEntry, auditId, countRequests, summaryPosition } from '../../lambdas/domain/audit-entry';

const entry = auditEntry({ actor: { orgId: 'fbi', by: 'Frank', via: 'api', personId: 'https://idp#frank' }, requestId: 'r-1' }, 'read', '2026-11-25T00:00:00.000Z', 'allowed',
  { incident: { id: 'inc_1', tlp: 'RED', participants: ['fbi', 'cisa'] } });

it('expires an entry after the stage\'s retention, and never without one', () => {
  expect(auditItem(entry, 365).expiresAt).toBe(Date.parse('2026-11-25T00:00:00.000Z') / 1000 + 365 * 86_400);
  expect(auditItem(entry)).not.toHaveProperty('expiresAt');
});

it('files an entry under its incident and its day, and keeps who may see which incident it was', () => {
  const item = auditItem(entry);
  expect(item).toMatchObject({ PK: 'AUDIT#inc_1', GSI1PK: 'AUDIT#2026-11-25', actorOrgId: 'fbi', entity: 'audit' });
  expect(JSON.parse(String(item.participants))).toEqual(['fbi', 'cisa']);
});

it('#22-5: a day\'s summary sits after every entry of its day and before the next day\'s, and counts requests, not entries', () => {
  const position = summaryPosition('2026-11-25', 'fbi');
  for (const id of ['2026-11-25T23:59:59.999Z#ffffffff-ffff', '2026-11-25T00:00:00.000Z#00000000-0000', auditId('2026-11-25T12:00:00.000Z')]) expect(id < position).toBe(true);
  expect(position < auditId('2026-11-26T00:00:00.000Z')).toBe(true);
  expect(summaryPosition('2026-11-25', 'cisa') < position).toBe(true);
  expect(SUMMARY_POSITION_PATTERN.test(position)).toBe(true);
  expect(countRequests([
    { orgId: 'fbi', requestId: 'r1' }, { orgId: 'fbi', requestId: 'r1' }, { orgId: 'fbi', requestId: 'r1' }, // one list page, three incidents
    { orgId: 'fbi', requestId: 'unknown' }, { orgId: 'fbi', requestId: 'unknown' }, // no request id: each counts
    { orgId: 'cisa', requestId: 'r2' },
  ])).toEqual([{ orgId: 'cisa', count: 1 }, { orgId: 'fbi', count: 3 }]);
});
