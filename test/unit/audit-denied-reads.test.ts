/**
 * A read refused as "no such incident, or not visible" is recorded with the id asked for (API.md),
 * and read back through the admins' trail only by the organizations that have a stake in it: the
 * one that asked, and the incident's participants when it exists. Every other admin sees it only in
 * the day's count of its organization's requests, whether the incident exists or not, so the trail
 * never names a RED or AMBER+STRICT incident outside it (a contract check of 2026-12-07 found a
 * third organization's admin shown the id of an AMBER+STRICT incident another had tried to read).
 */
import type { Caller } from '../../lambdas/domain/actor';
import { makeAuditTrail } from '../../lambdas/domain/audit';
import type { AuditRow } from '../../lambdas/domain/audit-entry';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { NotFoundError } from '../../lambdas/domain/errors';
import { ulidGenerator } from '../../lambdas/shared/ids';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: `key_${orgId}`, requestId: `req-${orgId}` });
const admin = (orgId: string): Caller => ({ orgId, role: 'admin', keyId: `key_${orgId}_admin` });

async function setup() {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['fbi', 'cisa', 'facebook', 'twitter']) directory.organizations.set(id, { id, name: id.toUpperCase(), kind: 'agency', contacts: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
  const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const strict = (await incidents.report(partner('fbi'), { title: 'ransomware at the county', severity: 'high', category: 'ransomware', tlp: 'AMBER+STRICT', participants: ['cisa'] })).incident;
  const missing = `inc_${'0'.repeat(26)}`;
  // A second apart: entries of one millisecond sort by a random tail.
  for (const id of [strict.id, missing]) {
    await expect(incidents.get(partner('facebook'), id)).rejects.toBeInstanceOf(NotFoundError);
    clock.advance(1);
  }
  clock.advance(2 * 86_400);
  const trail = makeAuditTrail({ audit: repository.audit, clock });
  const seenBy = async (orgId: string) => (await trail.between(admin(orgId), { from: '2026-11-03T00:00:00.000Z', limit: 100 })).items;
  return { strict, missing, seenBy };
}

const denied = (rows: AuditRow[]) => rows.filter((r) => 'outcome' in r && r.outcome === 'denied').map((r) => ('incidentId' in r ? r.incidentId : null));
const summaries = (rows: AuditRow[]) => rows.filter((r) => 'kind' in r).map((r) => r);

it('shows a third organization\'s admin neither id, only the asking organization\'s count, the same whether the incident exists or not', async () => {
  const { seenBy } = await setup();
  const rows = await seenBy('twitter');
  expect(denied(rows)).toEqual([]);
  expect(summaries(rows)).toEqual([expect.objectContaining({ kind: 'restricted-summary', orgId: 'facebook', count: 1 }), expect.objectContaining({ kind: 'restricted-summary', orgId: 'fbi', count: 1 })]);
});

it('shows the asking organization\'s admin both of its refused reads, and the incident\'s participants the one about it', async () => {
  const { seenBy, strict, missing } = await setup();
  expect(denied(await seenBy('facebook'))).toEqual([strict.id, missing]);
  expect(denied(await seenBy('cisa'))).toEqual([strict.id]);
  expect(denied(await seenBy('fbi'))).toEqual([strict.id]);
});
