/** The STIX 2.1 export against OASIS's own schemas, and the mapping of posted STIX incidents. */
import {
  CONCORD_STIX_NAMESPACE, INCIDENT_CORE_EXTENSION, TLP_MARKING_IDS, incidentBundle, incidentStixId, reportFromStix, tlpOfMarking, uuidv5,
  type OrgInfo,
} from '../../lambdas/integrations/stix';
import { STATUSES, type Incident, type Status, type TimelineEvent } from '../../lambdas/domain/incident';
import { TLPS, type Tlp } from '../../lambdas/domain/tlp';
import { PUBLISHED_TLP2, stixProblems } from '../support/stix-schemas';

const BASE = 'https://concord.example';
const orgs = new Map<string, OrgInfo>([
  ['facebook', { name: 'Facebook', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z' }],
  ['fbi', { name: 'FBI', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }],
]);

function incidentWith(tlp: Tlp, status: Status): { incident: Incident; events: TimelineEvent[] } {
  const incident: Incident = {
    id: 'inc_01JD5Z8W2Q3R4S5T6V7W8X9Y0Z', title: 'Coordinated false claims', description: 'Posts claim polling places are closed.',
    severity: 'critical', category: 'misinformation', tlp, status,
    reporter: { orgId: 'facebook', source: null }, participants: ['facebook', 'fbi', 'unlisted-org'],
    acknowledgements: [], assignee: null, dedupKey: null,
    links: [{ href: 'https://example.org/evidence', text: 'evidence' }], details: { n: 1 },
    reportedAt: '2026-03-01T10:00:00.000Z', acknowledgedAt: null, assignedAt: null, resolvedAt: status === 'resolved' ? '2026-03-01T12:00:00.000Z' : null,
    resolution: status === 'resolved' ? 'taken down' : null, related: [], lastUpdate: null, nextUpdateDueAt: null, observables: [], version: 3,
  };
  const events: TimelineEvent[] = [
    { seq: 1, type: 'reported', at: '2026-03-01T10:00:00.000Z', actor: { orgId: 'facebook', by: null, via: 'api' }, data: {} },
    { seq: 2, type: 'notified', at: '2026-03-01T10:00:01.000Z', actor: { orgId: 'concord', by: 'notifier', via: 'api' }, data: {} },
    { seq: 3, type: 'note', at: '2026-03-01T10:30:00.000Z', actor: { orgId: 'fbi', by: 'Agent Smith', via: 'api' }, data: { text: 'Seen in three states.' } },
    { seq: 4, type: 'escalated', at: '2026-03-01T11:30:00.000Z', actor: { orgId: 'concord', by: 'escalation', via: 'api' }, data: {} },
  ];
  return { incident, events };
}

it('implements UUIDv5 as RFC 9562 specifies (its test vector)', () => {
  // RFC 9562 Appendix A.4: the DNS namespace and "www.example.com".
  expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  expect(uuidv5('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(CONCORD_STIX_NAMESPACE).toMatch(/^[0-9a-f-]{36}$/);
});

describe.each(TLPS)('TLP:%s', (tlp) => {
  it.each(STATUSES)('a %s incident exports as objects that each validate against OASIS\'s schemas, all marked', (status) => {
    const { incident, events } = incidentWith(tlp, status);
    const bundle = incidentBundle({ incident, events, organizations: orgs, baseUrl: BASE });
    // The bundle as OASIS's bundle.json states it (not vendored: it refers to every SDO and SCO):
    // exactly type, id and a non-empty objects list; no spec_version in STIX 2.1.
    expect(Object.keys(bundle).sort()).toEqual(['id', 'objects', 'type']);
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bundle.objects.length).toBeGreaterThan(0);
    for (const obj of bundle.objects) {
      expect(stixProblems(obj)).toEqual([]);
      if (obj.type !== 'marking-definition') {
        expect(obj.object_marking_refs).toEqual(expect.any(Array));
        for (const ref of obj.object_marking_refs as string[]) expect(bundle.objects.some((o) => o.id === ref)).toBe(true);
      }
    }
    const inc = bundle.objects.find((o) => o.type === 'incident')!;
    expect(inc).toMatchObject({
      id: incidentStixId(incident.id), name: incident.title, description: incident.description,
      created: incident.reportedAt, modified: '2026-03-01T10:30:00.000Z', // the note; not the notification or escalation
      object_marking_refs: [TLP_MARKING_IDS[tlp]],
      external_references: [
        { source_name: 'concord', url: `${BASE}/v1/incidents/${incident.id}`, external_id: incident.id },
        { source_name: 'link', url: 'https://example.org/evidence', description: 'evidence' },
      ],
    });
    const core = (inc.extensions as any)[INCIDENT_CORE_EXTENSION];
    expect(core).toEqual({
      extension_type: 'property-extension', determination: 'suspected',
      investigation_status: { reported: 'new', acknowledged: 'open', assigned: 'open', resolved: 'closed' }[status],
      criticality: 95, incident_types: ['misinformation'],
    });
    const identities = bundle.objects.filter((o) => o.type === 'identity');
    expect(identities.map((i) => i.name).sort()).toEqual(['FBI', 'Facebook', 'unlisted-org']);
    expect(inc.created_by_ref).toBe(identities.find((i) => i.name === 'Facebook')!.id);
    const note = bundle.objects.find((o) => o.type === 'note')!;
    expect(note).toMatchObject({ content: 'Seen in three states.', object_refs: [inc.id], authors: ['Agent Smith'], created_by_ref: identities.find((i) => i.name === 'FBI')!.id });
    expect(bundle.objects.filter((o) => o.type === 'marking-definition').map((o) => o.id).sort())
      .toEqual([...new Set([PUBLISHED_TLP2.green, PUBLISHED_TLP2[tlp.toLowerCase() as keyof typeof PUBLISHED_TLP2]])].sort());
  });
});

it('exports the same incident identically, and a changed one with a new modified', () => {
  const { incident, events } = incidentWith('AMBER', 'reported');
  const once = JSON.stringify(incidentBundle({ incident, events, organizations: orgs, baseUrl: BASE }));
  expect(JSON.stringify(incidentBundle({ incident, events, organizations: orgs, baseUrl: BASE }))).toBe(once);
  const later: TimelineEvent = { seq: 5, type: 'acknowledged', at: '2026-03-01T13:00:00.000Z', actor: { orgId: 'fbi', by: null, via: 'api' }, data: {} };
  const changed = incidentBundle({ incident: { ...incident, status: 'acknowledged' }, events: [...events, later], organizations: orgs, baseUrl: BASE });
  const inc = changed.objects.find((o) => o.type === 'incident')!;
  expect(inc.id).toBe(incidentStixId(incident.id));
  expect(inc.modified).toBe('2026-03-01T13:00:00.000Z');
  expect(changed.id).not.toBe(JSON.parse(once).id);
});

it('uses exactly the TLP 2.0 ids OASIS publishes', () => {
  expect(Object.values(TLP_MARKING_IDS).sort()).toEqual(Object.values(PUBLISHED_TLP2).sort());
  for (const tlp of TLPS) expect(tlpOfMarking(TLP_MARKING_IDS[tlp])).toBe(tlp);
  expect(tlpOfMarking('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9')).toBe('CLEAR'); // TLP 1.0 WHITE
});

describe('a posted STIX incident as a report', () => {
  const base = { type: 'incident', spec_version: '2.1', id: 'incident--0f8b6c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Ransomware at county' };

  it('maps name, markings, Incident Core and participants; the STIX id is the dedupKey', () => {
    const r = reportFromStix({
      ...base, description: 'd', object_marking_refs: [TLP_MARKING_IDS.GREEN, TLP_MARKING_IDS.RED],
      extensions: { [INCIDENT_CORE_EXTENSION]: { extension_type: 'property-extension', determination: 'suspected', investigation_status: 'new', criticality: 72, incident_types: ['ransomware'] } },
      x_concord_participants: ['fbi'],
    });
    expect(r).toEqual({ ok: true, input: { title: 'Ransomware at county', description: 'd', severity: 'high', category: 'ransomware', tlp: 'RED', participants: ['fbi'], dedupKey: base.id, source: 'taxii' } });
  });

  it('defaults: unmarked is AMBER (never wider), medium, other, the key\'s participants', () => {
    expect(reportFromStix(base, { participants: ['cisa'], tlp: 'CLEAR' })).toMatchObject({ ok: true, input: { tlp: 'AMBER', severity: 'medium', category: 'other', participants: ['cisa'] } });
    expect(reportFromStix(base, { tlp: 'RED' })).toMatchObject({ ok: true, input: { tlp: 'RED' } });
    // A TLP said only in labels counts too, the narrowest of all that is said.
    expect(reportFromStix({ ...base, labels: ['tlp:red'] })).toMatchObject({ ok: true, input: { tlp: 'RED' } });
    expect(reportFromStix({ ...base, labels: ['TLP:AMBER+STRICT', 'phishing'] })).toMatchObject({ ok: true, input: { tlp: 'AMBER+STRICT' } });
    expect(reportFromStix({ ...base, labels: ['tlp:clear'] })).toMatchObject({ ok: true, input: { tlp: 'AMBER' } });
    // A marking Concord cannot read is refused rather than guessed: it could be narrower than AMBER.
    expect(reportFromStix({ ...base, object_marking_refs: ['marking-definition--00000000-0000-4000-8000-000000000000'] })).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot interpret/) });
  });

  it('keeps the references a link can hold and leaves out the others', () => {
    const r = reportFromStix({ ...base, external_references: [
      { source_name: 'vendor', url: 'https://vendor.example/report', description: 'Vendor\nreport' },
      { source_name: 'cve', external_id: 'CVE-2026-0001' },
      { source_name: 'ftp', url: 'ftp://x.example/a' },
      { source_name: 'long', url: `https://x.example/${'a'.repeat(3000)}` },
    ] });
    expect(r).toMatchObject({ ok: true, input: { links: [{ href: 'https://vendor.example/report', text: 'Vendor report' }] } });
  });

  it('refuses what it cannot map, with a reason', () => {
    expect(reportFromStix({ ...base, name: 3 })).toMatchObject({ ok: false, reason: expect.stringContaining('name') });
    expect(reportFromStix({ ...base, x_concord_participants: 'fbi' })).toMatchObject({ ok: false });
    expect(reportFromStix({ ...base, extensions: { [INCIDENT_CORE_EXTENSION]: { criticality: 101 } } })).toMatchObject({ ok: false });
  });
});

it('the schema check does reject what OASIS\'s schemas refuse', () => {
  const { incident, events } = incidentWith('AMBER', 'reported');
  const inc = incidentBundle({ incident, events, organizations: orgs, baseUrl: BASE }).objects.find((o) => o.type === 'incident')!;
  expect(stixProblems({ ...inc, name: undefined })).not.toEqual([]);
  expect(stixProblems({ ...inc, modified: '2026-03-01T10:30:00Z' })).not.toEqual([]); // millisecond precision required
  expect(stixProblems({ ...inc, id: 'incident--not-a-uuid' })).not.toEqual([]);
});

it('writes links as RFC 3986 URIs, whatever the WHATWG parser accepted when they were reported', () => {
  const { incident, events } = incidentWith('GREEN', 'reported');
  const odd = { ...incident, links: [{ href: 'https://exämple.org/a path/ü?q=1 2' }, { href: 'https://example.org/x' }] };
  const inc = incidentBundle({ incident: odd, events, organizations: orgs, baseUrl: BASE }).objects.find((o) => o.type === 'incident')!;
  expect(stixProblems(inc)).toEqual([]);
  expect((inc.external_references as Array<{ url: string }>).map((r) => r.url)).toEqual([
    `${BASE}/v1/incidents/${incident.id}`, 'https://xn--exmple-cua.org/a%20path/%C3%BC?q=1%202', 'https://example.org/x',
  ]);
});

it('#22-1: a bounded export keeps the oldest notes that fit, counts the rest on the incident, and stays within the bound', () => {
  const { incident, events } = incidentWith('RED', 'reported');
  const notes: TimelineEvent[] = Array.from({ length: 50 }, (_, i) => ({
    seq: 10 + i, type: 'note', at: `2026-03-02T10:${String(i).padStart(2, '0')}:00.000Z`, actor: { orgId: 'fbi', by: null, via: 'api' }, data: { text: '"'.repeat(1000) },
  }));
  const input = { incident, events: [...events, ...notes], organizations: orgs, baseUrl: BASE };
  const whole = incidentBundle(input);
  expect(whole.objects.find((o) => o.type === 'incident')).not.toHaveProperty('x_concord_notes_omitted');
  const bound = 40_000;
  const cut = incidentBundle(input, bound);
  expect(Buffer.byteLength(JSON.stringify(JSON.stringify(cut)))).toBeLessThanOrEqual(bound);
  const kept = cut.objects.filter((o) => o.type === 'note');
  expect(kept.length).toBeGreaterThan(0);
  expect(kept).toEqual(whole.objects.filter((o) => o.type === 'note').slice(0, kept.length));
  expect(cut.objects.find((o) => o.type === 'incident')).toMatchObject({ x_concord_notes_omitted: 51 - kept.length });
  expect(cut.id).toBe(whole.id);
});
