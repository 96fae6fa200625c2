/**
 * TAXII POST with observables (#25): STIX cyber-observable objects and `related-to` relationships
 * tying them to an incident of the same envelope become that incident's observables, in canonical
 * form; posting the envelope again changes nothing; what cannot be recorded fails with its reason.
 */
import { makeTaxiiService } from '../../lambdas/integrations/taxii-service';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeCursorCodec } from '../../lambdas/http/cursor';
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import type { TaxiiStatus } from '../../lambdas/integrations/taxii';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { incidentStixId, scoId } from '../../lambdas/integrations/stix';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

function setup() {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['facebook', 'fbi']) directory.organizations.set(id, { id, name: id.toUpperCase(), kind: 'agency', contacts: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  const clock = new ManualClock();
  const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const statuses = new Map<string, TaxiiStatus>();
  const taxii = makeTaxiiService({
    incidents, directory,
    statuses: { put: async (_org, s) => { statuses.set(s.id, s); }, get: async (_org, id) => statuses.get(id) ?? null },
    cursors: async () => makeCursorCodec('unit-test-secret'),
    baseUrl: () => 'https://concord.example',
    checkReport: (input) => ({ ok: true, input }),
  });
  return { repository, incidents, taxii };
}

const facebook: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
const INCIDENT = 'incident--7b4e28ba-2fa1-41d2-883f-0016d3cca427';
const domain = { type: 'domain-name', spec_version: '2.1', id: scoId('domain-name', { value: 'polls-closed.example' }), value: 'Polls-Closed.EXAMPLE.' };
const ip = { type: 'ipv4-addr', spec_version: '2.1', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: '192.0.2.7' };
const account = { type: 'user-account', spec_version: '2.1', id: 'user-account--0d5b424b-93b8-5cd8-ac36-306e1789d63c', account_type: 'twitter', account_login: '@PollsNow' };
const loose = { type: 'url', spec_version: '2.1', id: 'url--4a3c3c2e-2b6e-5b3c-9b0e-0f3f5b4f6b1a', value: 'https://elsewhere.example/' };
const badIp = { type: 'ipv4-addr', spec_version: '2.1', id: 'ipv4-addr--00000000-0000-5000-8000-000000000001', value: '010.0.0.1' };
const rel = (id: string, source: string, target: string, type = 'related-to') => ({ type: 'relationship', spec_version: '2.1', id, relationship_type: type, source_ref: source, target_ref: target, created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z' });
const envelope = [
  { type: 'incident', spec_version: '2.1', id: INCIDENT, name: 'Fake polls-closed site', created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z' },
  domain, ip, account, loose, badIp,
  rel('relationship--00000000-0000-4000-8000-000000000001', INCIDENT, domain.id),
  rel('relationship--00000000-0000-4000-8000-000000000002', ip.id, INCIDENT), // either direction
  rel('relationship--00000000-0000-4000-8000-000000000003', INCIDENT, account.id),
  rel('relationship--00000000-0000-4000-8000-000000000004', INCIDENT, badIp.id),
  rel('relationship--00000000-0000-4000-8000-000000000005', INCIDENT, loose.id, 'uses'),
];

it('adds the observables related to a posted incident, in canonical form; others fail with reasons', async () => {
  const { taxii, repository } = setup();
  const status = await taxii.addObjects(facebook, INCIDENTS_COLLECTION_ID, envelope);
  const [incident] = [...repository.records.values()].map((r) => r.incident);
  expect(incident!.observables).toEqual([
    { type: 'domain-name', value: 'polls-closed.example' },
    { type: 'ipv4-addr', value: '192.0.2.7' },
    { type: 'user-account', value: 'pollsnow', platform: 'twitter' },
  ]);
  expect(status).toMatchObject({ total_count: 11, success_count: 8, failure_count: 3 });
  expect(status.failures.map((f) => f.id).sort()).toEqual([badIp.id, 'relationship--00000000-0000-4000-8000-000000000004', 'relationship--00000000-0000-4000-8000-000000000005'].sort());
  expect(status.failures.find((f) => f.id === badIp.id)!.message).toMatch(/leading zero/);
  expect(status.successes.find((s) => s.id === loose.id)!.message).toMatch(/context/);
  expect(status.successes.find((s) => s.id === domain.id)!.message).toBe(`the observable, on ${incident!.id}`);
  expect(status.successes.find((s) => s.id === 'relationship--00000000-0000-4000-8000-000000000001')!.message).toBe(`the observable is on ${incident!.id}`);
});

it('changes nothing when the envelope is posted again', async () => {
  const { taxii, repository } = setup();
  await taxii.addObjects(facebook, INCIDENTS_COLLECTION_ID, envelope);
  const [first] = [...repository.records.values()];
  await taxii.addObjects(facebook, INCIDENTS_COLLECTION_ID, envelope);
  expect(repository.records.size).toBe(1);
  expect([...repository.records.values()][0]!.incident.version).toBe(first!.incident.version);
});

it('serves each observable as its SCO and its related-to relationship in the collection, to those who may see the incident; a RED one\'s are recorded as reads of it', async () => {
  const { taxii, incidents, repository } = setup();
  const fbi: Caller = { orgId: 'fbi', role: 'partner', keyId: 'k2' };
  const red = (await incidents.report(facebook, { title: 'red', severity: 'high', category: 'misinformation', tlp: 'RED', participants: [], observables: [{ type: 'domain-name', value: 'polls-closed.example' }] })).incident;
  const objectsOf = async (who: Caller, query = {}) => (await taxii.objects(who, INCIDENTS_COLLECTION_ID, query)).body.objects as Array<{ id: string; type: string; target_ref?: string; source_ref?: string }>;
  const mine = await objectsOf(facebook);
  expect(mine.map((o) => o.id)).toContain(domain.id);
  const relationship = mine.find((o) => o.type === 'relationship' && o.target_ref === domain.id)!;
  expect(relationship.source_ref).toMatch(/^incident--/);
  // Not a participant of the RED incident: nothing of it, its observable included.
  expect((await objectsOf(fbi)).map((o) => o.id)).not.toContain(domain.id);
  // A page that carries only the observable records a read of the incident it came from.
  const before = repository.audit.entries.length;
  expect((await objectsOf(facebook, { 'match[type]': 'domain-name' })).map((o) => o.id)).toEqual([domain.id]);
  expect(repository.audit.entries.slice(before).map((e) => e.incidentId)).toEqual([red.id]);
});

it('ties observables to an incident Concord exported, posted back in the envelope with them; a caller who may not see it is refused', async () => {
  const { taxii, incidents, repository } = setup();
  const fbi: Caller = { orgId: 'fbi', role: 'partner', keyId: 'k2' };
  const reported = (await incidents.report(facebook, { title: 'exported', severity: 'high', category: 'misinformation', tlp: 'AMBER', participants: [] })).incident;
  const exported = (await taxii.exportBundle(facebook, reported.id)).objects.find((o) => o.type === 'incident')!;
  const back = [exported, domain, rel('relationship--00000000-0000-4000-8000-000000000009', exported.id as string, domain.id)];
  const refused = await taxii.addObjects(fbi, INCIDENTS_COLLECTION_ID, back);
  expect(refused.failures.map((f) => f.id)).toEqual(['relationship--00000000-0000-4000-8000-000000000009']);
  expect(repository.records.get(reported.id)!.incident.observables).toEqual([]);
  const status = await taxii.addObjects(facebook, INCIDENTS_COLLECTION_ID, back);
  expect(status).toMatchObject({ total_count: 3, success_count: 3, failure_count: 0 });
  expect(repository.records.size).toBe(1);
  expect(repository.records.get(reported.id)!.incident.observables).toEqual([{ type: 'domain-name', value: 'polls-closed.example' }]);
});

it('takes an incident for one Concord exported only when its external id is an id an incident can have', async () => {
  const { taxii, repository } = setup();
  // A key DynamoDB refuses (over 2,048 bytes): read as an incident's id, the relationship's read of it answered 500.
  const forged = 'inc_' + 'A'.repeat(3000);
  const incident = { type: 'incident', spec_version: '2.1', id: incidentStixId(forged), name: 'forged', created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', external_references: [{ source_name: 'concord', external_id: forged }] };
  const status = await taxii.addObjects(facebook, INCIDENTS_COLLECTION_ID, [incident, domain, rel('relationship--00000000-0000-4000-8000-00000000000a', incident.id, domain.id)]);
  expect(status.successes.find((s) => s.id === incident.id)!.message).toMatch(/^reported as inc_[0-9A-Z]{26}$/);
  expect([...repository.records.values()].map((r) => r.incident.observables)).toEqual([[{ type: 'domain-name', value: 'polls-closed.example' }]]);
});
