import { auditItem } from '../../lambdas/adapters/dynamodb/audit-log';
import { auditEntry } from '../../lambdas/domain/audit-entry';

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
