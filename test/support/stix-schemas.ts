/**
 * OASIS's STIX 2.1 JSON schemas (vendored in test/fixtures/stix2-json-schemas: common, the SDOs
 * Concord exports, the SCOs of its observables and the relationship SRO) compiled with ajv 8,
 * and the checks the schemas cannot make: each object is validated against its own type's schema
 * (the bundle schema does not list `incident`), the Incident Core extension's required fields and
 * vocabularies, and OASIS's TLP 2.0 marking-definitions exactly as published.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';

const ROOT = join(__dirname, '..', 'fixtures', 'stix2-json-schemas', 'schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';

const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
// domain-name's `value` is an `idn-hostname` (RFC 5890), which ajv-formats does not check: a host
// name as IDNA A-labels (what the WHATWG URL's IDNA mapping gives), each label 1–63 LDH characters.
ajv.addFormat('idn-hostname', (v: string) => {
  const ascii = domainToASCII(v);
  return ascii.length > 0 && ascii.length <= 253 && ascii.split('.').every((l) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(l));
});
for (const dir of ['common', 'sdos', 'observables', 'sros']) {
  for (const file of readdirSync(join(ROOT, dir))) {
    if (file === 'bundle.json') continue; // refers to every SDO and SCO; not vendored, not needed
    ajv.addSchema(JSON.parse(readFileSync(join(ROOT, dir, file), 'utf8')));
  }
}

const SCHEMA_OF: Record<string, string> = {
  identity: `${BASE}/sdos/identity.json`,
  incident: `${BASE}/sdos/incident.json`,
  note: `${BASE}/sdos/note.json`,
  'marking-definition': `${BASE}/common/marking-definition.json`,
  relationship: `${BASE}/sros/relationship.json`,
  ...Object.fromEntries(['domain-name', 'email-addr', 'file', 'ipv4-addr', 'ipv6-addr', 'url', 'user-account'].map((t) => [t, `${BASE}/observables/${t}.json`])),
};

/** OASIS's TLP 2.0 marking-definitions (cti-stix-common-objects, extension-definition-specifications/tlp-2.0). */
export const PUBLISHED_TLP2 = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const;

const INCIDENT_CORE = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
const TLP_EXT = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** Every problem with one STIX object; empty when it is valid. */
export function stixProblems(obj: any): string[] {
  const uri = SCHEMA_OF[obj?.type];
  if (!uri) return [`no schema for type ${obj?.type}`];
  const validate = ajv.getSchema(uri)!;
  const problems = validate(obj) ? [] : (validate.errors ?? []).map((e) => `${obj.type} ${e.instancePath} ${e.message}`);
  if (obj.type === 'incident') {
    const core = obj.extensions?.[INCIDENT_CORE];
    if (!core) problems.push('incident without the Incident Core extension');
    else {
      if (core.extension_type !== 'property-extension') problems.push('core: extension_type');
      if (!['blocked', 'failed-attempt', 'false-positive', 'low-value', 'successful-attempt', 'suspected'].includes(core.determination)) problems.push('core: determination');
      if (!['new', 'open', 'closed'].includes(core.investigation_status)) problems.push('core: investigation_status');
      if (core.criticality !== undefined && !(Number.isInteger(core.criticality) && core.criticality >= 0 && core.criticality <= 100)) problems.push('core: criticality');
      if (core.incident_types !== undefined && !(Array.isArray(core.incident_types) && core.incident_types.length > 0)) problems.push('core: incident_types');
      const allowed = new Set(['extension_type', 'scores', 'events', 'tasks', 'determination', 'impact_refs', 'investigation_status', 'incident_types', 'detection_methods', 'criticality', 'recoverability', 'impacted_entity_counts']);
      for (const k of Object.keys(core)) if (!allowed.has(k)) problems.push(`core: unknown property ${k}`);
    }
  }
  if (obj.type === 'marking-definition') {
    const ext = obj.extensions?.[TLP_EXT];
    const level = ext?.tlp_2_0 as keyof typeof PUBLISHED_TLP2 | undefined;
    const expected = level && PUBLISHED_TLP2[level];
    if (!expected || obj.id !== expected || obj.name !== `TLP:${level!.toUpperCase()}` || ext.extension_type !== 'property-extension'
      || obj.created !== '2022-10-01T00:00:00.000Z' || Object.keys(obj).sort().join() !== 'created,extensions,id,name,spec_version,type') {
      problems.push(`not OASIS's published TLP 2.0 marking-definition: ${JSON.stringify(obj)}`);
    }
  }
  return problems;
}
