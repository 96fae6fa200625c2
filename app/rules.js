// The API's rules, read from its own OpenAPI document (GET openapi.json) when the app starts
// instead of copied into the app: the enumerations (severities, categories, TLP labels,
// statuses), the length limits, and the text rules — `pattern` (the characters a field refuses)
// and `x-visible` (the class a non-empty value must hold one character of). The server builds
// both from the regular expressions it validates with, so the app cannot drift from them.

const doc = { schemas: null, paths: null };

export const rules = {
  severities: [],
  categories: [],
  /** As the API lists them, CLEAR first. */
  tlps: [],
  statuses: [],
  maxParticipants: 0,
  maxLinks: 0,
  maxHref: 0,
  /** Coordination (POST …/participants, PATCH, …/reopen, …/updates, …/links). */
  maxInvite: 0,
  phases: [],
  relations: [],
  nextUpdateMinutes: { min: 0, max: 0 },
  maxIncidentId: 0,
  maxEditLinks: 0,
  /** How many days after its resolve an incident may be reopened, as the API's description of reopen states it; null if it does not say. */
  reopenDays: null,
};

/** The text fields the app sends, by the name it uses: [schema, property]. */
const TEXT = {
  title: ['ReportIncident', 'title'],
  description: ['ReportIncident', 'description'],
  responder: ['Assign', 'responder'],
  note: ['Note', 'text'],
  resolution: ['Resolve', 'resolution'],
  linkText: ['Link', 'text'],
  editTitle: ['EditIncident', 'title'],
  editDescription: ['EditIncident', 'description'],
  inviteNote: ['Invite', 'note'],
  reason: ['Reopen', 'reason'],
  summary: ['StatusUpdate', 'summary'],
};
const text = {};

/** A schema itself: a `$ref` followed, and of a nullable one (`anyOf` [x, null], as PATCH's fields are), x. */
function resolve(s) {
  if (s?.anyOf) return resolve(s.anyOf.find((x) => x.type !== 'null'));
  return s?.$ref ? doc.schemas[s.$ref.split('/').pop()] : s;
}

function property(schema, name) {
  const s = resolve(doc.schemas[schema]?.properties?.[name]);
  if (!s) throw new Error(`The API's description has no ${schema}.${name}.`);
  return s;
}

const enumOf = (schema, name) => {
  const values = property(schema, name).enum;
  if (!Array.isArray(values) || !values.length) throw new Error(`The API's description lists no ${schema}.${name}.`);
  return values;
};

/** Fetches and reads the document; throws, naming what is missing, if it cannot. */
export async function loadRules() {
  const res = await fetch('openapi.json');
  if (!res.ok) throw new Error(`The API's description (openapi.json) did not load (${res.status}).`);
  const openapi = await res.json();
  doc.schemas = openapi.components?.schemas ?? {};
  doc.paths = openapi.paths ?? {};
  rules.severities = enumOf('ReportIncident', 'severity');
  rules.categories = enumOf('ReportIncident', 'category');
  rules.tlps = enumOf('ReportIncident', 'tlp');
  rules.statuses = enumOf('Incident', 'status');
  rules.maxParticipants = property('ReportIncident', 'participants').maxItems;
  rules.maxLinks = property('ReportIncident', 'links').maxItems;
  rules.maxHref = property('Link', 'href').maxLength;
  rules.maxInvite = property('Invite', 'orgIds').maxItems;
  rules.phases = enumOf('StatusUpdate', 'phase');
  rules.relations = enumOf('LinkIncident', 'relation');
  const minutes = property('StatusUpdate', 'nextUpdateInMinutes');
  rules.nextUpdateMinutes = { min: minutes.minimum, max: minutes.maximum };
  rules.maxIncidentId = property('LinkIncident', 'incidentId').maxLength;
  rules.maxEditLinks = property('EditIncident', 'links').maxItems;
  const reopen = doc.paths['/v1/incidents/{id}/reopen']?.post?.description ?? '';
  const days = /within (\d+) days/i.exec(reopen);
  rules.reopenDays = days ? Number(days[1]) : null;
  for (const [field, [schema, name]] of Object.entries(TEXT)) {
    const s = property(schema, name);
    text[field] = {
      min: s.minLength ?? 0,
      max: s.maxLength,
      refused: s.pattern ? new RegExp(s.pattern, 'u') : null,
      visible: s['x-visible'] ? new RegExp(s['x-visible'], 'u') : null,
    };
  }
}

/** The most characters `field` takes. */
export const maxOf = (field) => text[field].max;
/** Whether `value` holds a character the API counts as visible (what an empty-looking value lacks). */
export const isVisible = (field, value) => (text[field].visible ? text[field].visible.test(value) : value.trim() !== '');
/** Whether `value` is longer than `field` takes. */
export const tooLong = (field, value) => value.length > text[field].max;
/** Whether `value` holds a character `field` refuses (control characters; line breaks in a single line). */
export const refuses = (field, value) => !!text[field].refused && !text[field].refused.test(value);

/** A number as the app writes it: 10,000. */
export const count = (n) => n.toLocaleString('en-US');
