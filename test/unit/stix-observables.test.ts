/**
 * Observables in the STIX export (#25): each as its STIX 2.1 cyber-observable object with the id
 * STIX 2.1 §2.9 defines — UUIDv5 in the SCO namespace over the canonical (RFC 8785) JSON of the
 * object's ID contributing properties — computed here again by hand from the specification, so two
 * organizations' exports of one domain share one id with any conforming producer's; a `related-to`
 * relationship from the incident to each; every object valid against OASIS's schemas.
 */
import { createHash } from 'node:crypto';
import { incidentBundle, incidentStixId, type OrgInfo } from '../../lambdas/integrations/stix';
import { canonicalList } from '../../lambdas/domain/observables';
import type { Incident, TimelineEvent } from '../../lambdas/domain/incident';
import { MAX_ANSWER_BYTES, answerBytes } from '../../lambdas/shared/json';
import { stixProblems } from '../support/stix-schemas';

/** RFC 9562 §5.5, written out: SHA-1 of the namespace's 16 bytes and the name, version 5, variant 10. */
function v5(name: string, namespace = '00abedb4-aa42-466c-9c01-fed23315a9b7'): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(Buffer.from(name, 'utf8')).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = bytes.subarray(0, 16).toString('hex');
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 32)].join('-');
}

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const orgs = new Map<string, OrgInfo>([['facebook', { name: 'Facebook', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }]]);

function incident(id: string, reporter: string, observables: Incident['observables'], tlp: Incident['tlp'] = 'AMBER'): { incident: Incident; events: TimelineEvent[] } {
  const inc: Incident = {
    id, title: 'Fake "polls closed" domain', description: null, severity: 'high', category: 'misinformation', tlp, status: 'reported',
    reporter: { orgId: reporter, source: null }, participants: [reporter], acknowledgements: [], assignee: null, dedupKey: null, links: [], details: {},
    reportedAt: '2026-11-03T12:00:00.000Z', acknowledgedAt: null, assignedAt: null, resolvedAt: null, resolution: null, related: [], lastUpdate: null, nextUpdateDueAt: null,
    observables, version: 2,
  };
  const events: TimelineEvent[] = [
    { seq: 1, type: 'reported', at: '2026-11-03T12:00:00.000Z', actor: { orgId: reporter, by: null, via: 'api' }, data: { observables: observables.slice(0, 1) } },
    { seq: 2, type: 'observables_added', at: '2026-11-03T13:00:00.000Z', actor: { orgId: reporter, by: null, via: 'api' }, data: { observables: observables.slice(1) } },
  ];
  return { incident: inc, events };
}

const observables = canonicalList([
  { type: 'domain-name', value: 'Polls-Closed.EXAMPLE.' },
  { type: 'url', value: 'https://polls-closed.example/where#x' },
  { type: 'ipv4-addr', value: '192.0.2.7' },
  { type: 'ipv6-addr', value: '2001:DB8::0:7' },
  { type: 'email-addr', value: 'help@Polls-Closed.example' },
  { type: 'file', value: SHA.toUpperCase() },
  { type: 'user-account', value: '@PollsNow', platform: 'Twitter', note: 'pushes the domain' },
  { type: 'phone-number', value: '+1 202 555 0101' },
]);

it('exports each observable with the id STIX 2.1 defines, computed independently', () => {
  const { objects } = incidentBundle({ ...incident('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z', 'facebook', observables), organizations: orgs, baseUrl: 'https://concord.example' });
  const scos = objects.filter((o) => !['identity', 'incident', 'marking-definition', 'relationship', 'note'].includes(o.type));
  expect(scos.map((o) => o.id)).toEqual([
    `domain-name--${v5('{"value":"polls-closed.example"}')}`,
    `url--${v5('{"value":"https://polls-closed.example/where"}')}`,
    `ipv4-addr--${v5('{"value":"192.0.2.7"}')}`,
    `ipv6-addr--${v5('{"value":"2001:db8::7"}')}`,
    `email-addr--${v5('{"value":"help@polls-closed.example"}')}`,
    `file--${v5(`{"hashes":{"SHA-256":"${SHA}"}}`)}`,
    `user-account--${v5('{"account_type":"twitter","user_id":"pollsnow"}')}`,
  ]);
  // A phone number has no SCO in STIX 2.1: left out.
  expect(JSON.stringify(objects)).not.toContain('+12025550101');
  expect(scos[5]).toMatchObject({ type: 'file', hashes: { 'SHA-256': SHA } });
});

it('relates the incident to each SCO, dated when the observable was added, marked with its TLP; all valid against OASIS\'s schemas', () => {
  const { objects } = incidentBundle({ ...incident('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z', 'facebook', observables, 'RED'), organizations: orgs, baseUrl: 'https://concord.example' });
  const relationships = objects.filter((o) => o.type === 'relationship');
  expect(relationships).toHaveLength(7);
  const source = incidentStixId('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z');
  for (const r of relationships) {
    expect(r).toMatchObject({ relationship_type: 'related-to', source_ref: source, object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'] });
    expect(objects.some((o) => o.id === r.target_ref)).toBe(true);
  }
  expect(relationships.map((r) => r.created)).toEqual(['2026-11-03T12:00:00.000Z', ...Array(6).fill('2026-11-03T13:00:00.000Z')]);
  expect(relationships.find((r) => String(r.target_ref).startsWith('user-account--'))!.description).toBe('pushes the domain');
  for (const o of objects) expect({ id: o.id, problems: stixProblems(o) }).toEqual({ id: o.id, problems: [] });
  expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  // The schemas do judge SCOs: one without its value, or with a value no host name is, is refused.
  const domain = objects.find((o) => o.type === 'domain-name')!;
  expect(stixProblems({ ...domain, value: undefined })).not.toEqual([]);
  expect(stixProblems({ ...domain, value: 'not a host' })).not.toEqual([]);
});

it('gives two organizations\' exports of one domain one id', () => {
  const a = incidentBundle({ ...incident('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z', 'facebook', canonicalList([{ type: 'domain-name', value: 'polls-closed.example' }])), organizations: orgs, baseUrl: 'https://a.example' });
  const b = incidentBundle({ ...incident('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y10', 'twitter', canonicalList([{ type: 'domain-name', value: 'POLLS-CLOSED.example.' }])), organizations: orgs, baseUrl: 'https://b.example' });
  const domainOf = (bundle: typeof a) => bundle.objects.find((o) => o.type === 'domain-name')!.id;
  expect(domainOf(a)).toBe(domainOf(b));
});

it('keeps the export within the answer bound with 200 of the longest observables and many notes', () => {
  const long = canonicalList(Array.from({ length: 200 }, (_, i) => ({ type: 'url', value: `https://polls-closed.example/${String(i).padStart(3, '0')}/${'a'.repeat(1990)}` })));
  const base = incident('inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z', 'facebook', long);
  const notes: TimelineEvent[] = Array.from({ length: 3000 }, (_, i) => ({ seq: 3 + i, type: 'note', at: '2026-11-03T14:00:00.000Z', actor: { orgId: 'facebook', by: null, via: 'api' }, data: { text: 'n'.repeat(4000) } }));
  const bundle = incidentBundle({ incident: base.incident, events: [...base.events, ...notes], organizations: orgs, baseUrl: 'https://concord.example' }, MAX_ANSWER_BYTES);
  expect(answerBytes(bundle)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
  expect(bundle.objects.filter((o) => o.type === 'url')).toHaveLength(200);
  expect(bundle.objects.find((o) => o.type === 'incident')!.x_concord_notes_omitted).toBeGreaterThan(0);
});
