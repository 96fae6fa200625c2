/**
 * STIX 2.1: an incident as STIX objects, and a STIX `incident` as a report. Pure functions; the
 * handlers read the incident, its timeline and the directory through the use cases and pass them in.
 *
 * Ids are deterministic — UUIDv5 (RFC 9562 §5.5) in CONCORD_STIX_NAMESPACE of a name derived from
 * the Concord id — so exporting twice yields identical objects, and consumers de-duplicate:
 *   identity--v5("org:<orgId>")   incident--v5("incident:<id>")   note--v5("note:<id>:<seq>")
 *   bundle--v5("bundle:<id>:<modified>")
 * Markings are OASIS's published TLP 2.0 marking-definitions (extension-definition--60a3c5c5…),
 * reproduced exactly; every other object carries `object_marking_refs`: the incident and its notes
 * the incident's TLP, identities TLP:GREEN (who takes part in Concord is known to its community).
 * The incident carries OASIS's Incident Core extension (extension-definition--ef765651…):
 *   investigation_status  reported → new; acknowledged, assigned → open; resolved → closed
 *   determination         suspected (Concord records no determination)
 *   criticality           the extension's "5 Qualitative" scale (Appendix B): low 15, medium 40,
 *                         high 70, critical 95 (and back by its ranges: 0–29 low, 30–49 medium,
 *                         50–89 high, 90–100 critical)
 *   incident_types        the category in the extension's event-type-ov (misinformation, which it
 *                         lacks, as itself: the vocabulary is open)
 */
import { createHash } from 'node:crypto';
import { isIncidentId } from '../shared/ids';
import { answerBytes } from '../shared/json';
import { STIX_SOURCE, type Category, type Incident, type ReportInput, type Severity, type Status, type TimelineEvent } from '../domain/incident';
import { type Tlp } from '../domain/tlp';
import { observableKey, type Observable } from '../domain/observables';

/** Concord's UUIDv5 namespace (a random UUID drawn once; never change it, or every id changes). */
export const CONCORD_STIX_NAMESPACE = '3c2d9a5e-8f61-4b7d-a0e4-5f9c1b2e7d30';

export const TLP_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const INCIDENT_CORE_EXTENSION = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';

/** UUID version 5 (SHA-1, name-based) of `name` in `namespace`, RFC 9562 §5.5. */
export function uuidv5(name: string, namespace: string = CONCORD_STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`Not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** TLP 2.0 marking-definition ids, as OASIS publishes them (cti-stix-common-objects, tlp-2.0). */
export const TLP_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** TLP 1.0 marking-definitions of the STIX 2.1 specification (§7.2.1.4), accepted on input. */
const TLP1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

/** The created time of OASIS's TLP 2.0 marking-definitions. */
export const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

export type StixObject = Record<string, unknown> & { type: string; id: string; spec_version: '2.1' };

/** The published TLP 2.0 marking-definition object, exactly as OASIS publishes it. */
export function tlpMarking(tlp: Tlp): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_MARKING_IDS[tlp],
    created: TLP2_CREATED,
    name: `TLP:${tlp}`,
    extensions: { [TLP_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
  };
}

/** The TLP order, widest first. */
const TLP_ORDER: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
export const narrowestTlp = (tlps: readonly Tlp[]): Tlp => tlps.reduce((a, b) => (TLP_ORDER.indexOf(b) > TLP_ORDER.indexOf(a) ? b : a));

/** The TLP a marking-definition id stands for (TLP 2.0, or TLP 1.0 with WHITE as CLEAR). */
export function tlpOfMarking(id: string): Tlp | undefined {
  return (Object.entries(TLP_MARKING_IDS).find(([, v]) => v === id)?.[0] as Tlp | undefined) ?? TLP1_MARKING_IDS[id];
}

export const identityId = (orgId: string) => `identity--${uuidv5(`org:${orgId}`)}`;
export const incidentStixId = (incidentId: string) => `incident--${uuidv5(`incident:${incidentId}`)}`;
export const noteId = (incidentId: string, seq: number) => `note--${uuidv5(`note:${incidentId}:${seq}`)}`;

/** STIX timestamps are UTC with at least millisecond precision. */
const stamp = (iso: string) => new Date(iso).toISOString();
/** A directory timestamp as a STIX timestamp; an unreadable one (older data) falls back. */
const stampOr = (iso: string | undefined, fallback: string) => (iso && !Number.isNaN(Date.parse(iso)) ? stamp(iso) : stamp(fallback));

/** The events that change the incident (not notifications or escalations). */
const CHANGES: ReadonlySet<string> = new Set(['reported', 'acknowledged', 'assigned', 'resolved', 'note', 'participants_added', 'updated', 'reopened', 'status_update', 'linked', 'unlinked', 'observables_added']);

/** The time of the incident's latest change: its STIX `modified`. */
export function lastChangeAt(incident: Incident, events: readonly TimelineEvent[]): string {
  let latest = incident.reportedAt;
  for (const e of events) if (CHANGES.has(e.type) && e.at > latest) latest = e.at;
  return stamp(latest);
}

const INVESTIGATION: Readonly<Record<Status, string>> = { reported: 'new', acknowledged: 'open', assigned: 'open', resolved: 'closed' };
export const CRITICALITY: Readonly<Record<Severity, number>> = { low: 15, medium: 40, high: 70, critical: 95 };
export const INCIDENT_TYPES: Readonly<Record<Category, string>> = {
  misinformation: 'misinformation',
  ransomware: 'ransomware',
  phishing: 'dissemination-phishing-emails',
  'account-takeover': 'theft-access-credentials',
  ddos: 'denial-of-service',
  intrusion: 'unauthorized-access-system',
  other: 'unspecified',
};

export function severityOfCriticality(c: number): Severity {
  return c >= 90 ? 'critical' : c >= 50 ? 'high' : c >= 30 ? 'medium' : 'low';
}

export function categoryOfTypes(types: readonly unknown[]): Category | undefined {
  for (const t of types) {
    const found = (Object.entries(INCIDENT_TYPES) as Array<[Category, string]>).find(([c, v]) => v === t || c === t);
    if (found && found[0] !== 'other') return found[0];
  }
  return undefined;
}

/** What the export knows of an organization (from the directory). */
export interface OrgInfo { name: string; createdAt: string; updatedAt: string }

export interface ExportInput {
  incident: Incident;
  /** The whole timeline, oldest first. */
  events: readonly TimelineEvent[];
  /** The participants' directory entries; an organization missing here is named by its id. */
  organizations: ReadonlyMap<string, OrgInfo>;
  /** The service's public base URL, without a trailing slash. */
  baseUrl: string;
}

export function identityObject(orgId: string, org: OrgInfo | undefined, fallbackAt: string): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: identityId(orgId),
    created: stampOr(org?.createdAt, fallbackAt),
    modified: stampOr(org?.updatedAt, stampOr(org?.createdAt, fallbackAt)),
    name: org?.name ?? orgId,
    identity_class: 'organization',
    object_marking_refs: [TLP_MARKING_IDS.GREEN],
  };
}

/**
 * A link as an RFC 3986 URI, as STIX wants: the WHATWG serialization percent-encodes spaces and
 * non-ASCII characters (and gives IDN hosts in punycode); null for what no parser reads.
 */
function asUri(href: string): string | null {
  try {
    return new URL(href).href;
  } catch {
    return null;
  }
}

export const incidentUrl = (baseUrl: string, id: string) => `${baseUrl}/v1/incidents/${encodeURIComponent(id)}`;

export function incidentObject(incident: Incident, modified: string, baseUrl: string): StixObject {
  return {
    type: 'incident',
    spec_version: '2.1',
    id: incidentStixId(incident.id),
    created_by_ref: identityId(incident.reporter.orgId),
    created: stamp(incident.reportedAt),
    modified,
    name: incident.title,
    ...(incident.description ? { description: incident.description } : {}),
    external_references: [
      { source_name: 'concord', url: incidentUrl(baseUrl, incident.id), external_id: incident.id },
      ...incident.links.flatMap((l) => {
        const url = asUri(l.href);
        return url ? [{ source_name: 'link', url, ...(l.text ? { description: l.text } : {}) }] : [];
      }),
    ],
    object_marking_refs: [TLP_MARKING_IDS[incident.tlp]],
    extensions: {
      [INCIDENT_CORE_EXTENSION]: {
        extension_type: 'property-extension',
        determination: 'suspected',
        investigation_status: INVESTIGATION[incident.status],
        criticality: CRITICALITY[incident.severity],
        incident_types: [INCIDENT_TYPES[incident.category]],
      },
    },
  };
}

export function noteObject(incident: Incident, event: TimelineEvent, organizations: ReadonlyMap<string, OrgInfo>): StixObject {
  const at = stamp(event.at);
  const author = event.actor.by ?? organizations.get(event.actor.orgId)?.name ?? event.actor.orgId;
  return {
    type: 'note',
    spec_version: '2.1',
    id: noteId(incident.id, event.seq),
    created_by_ref: identityId(event.actor.orgId),
    created: at,
    modified: at,
    content: String(event.data.text ?? ''),
    authors: [author],
    object_refs: [incidentStixId(incident.id)],
    object_marking_refs: [TLP_MARKING_IDS[incident.tlp]],
  };
}

/**
 * Every STIX object of one incident: the identities of its participants (and of note authors),
 * the incident, its observables (each SCO and a `related-to` from the incident), a note per
 * timeline note, and the marking-definitions they use. Each object comes
 * with the time it was added (`dateAdded`): `addedAt`, when the incident's current version was
 * committed by the commit clock (commit order), for the incident, its notes and the markings (an
 * identity changed since in the directory, at its change); without it (incidents not changed since
 * before the clock), a version's own time.
 */
export function incidentObjects({ incident, events, organizations, baseUrl }: ExportInput, addedAt?: string): Array<{ object: StixObject; dateAdded: string }> {
  const modified = lastChangeAt(incident, events);
  const added = addedAt ?? modified;
  const notes = events.filter((e) => e.type === 'note');
  const orgIds = [...new Set([incident.reporter.orgId, ...incident.participants, ...notes.map((e) => e.actor.orgId)])];
  const out: Array<{ object: StixObject; dateAdded: string }> = [];
  // Shared objects (markings, identities) count as added with the incident's latest version, so a
  // client polling with added_after receives them with every incident that refers to them.
  const later = (a: string) => (a > added ? a : added);
  const tlps = [...new Set<Tlp>(['GREEN', incident.tlp])];
  for (const tlp of tlps) out.push({ object: tlpMarking(tlp), dateAdded: later(TLP2_CREATED) });
  for (const orgId of orgIds) {
    const identity = identityObject(orgId, organizations.get(orgId), incident.reportedAt);
    out.push({ object: identity, dateAdded: later(identity.modified as string) });
  }
  out.push({ object: incidentObject(incident, modified, baseUrl), dateAdded: added });
  // Its observables (each SCO and the relationship from the incident to it) follow, before the notes.
  for (const object of observableObjects(incident, events)) out.push({ object, dateAdded: added });
  for (const e of notes) out.push({ object: noteObject(incident, e, organizations), dateAdded: addedAt ?? stamp(e.at) });
  return out;
}

// ---- Observables as STIX cyber-observable objects (SCOs) ----

/** STIX 2.1's namespace for the deterministic ids of SCOs (§2.9). */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** RFC 8785 (JCS) canonical JSON of strings and objects of them: members sorted by key, JSON.stringify's strings. */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  return JSON.stringify(value);
}

/**
 * An observable's STIX SCO: its type and its ID contributing properties (STIX 2.1 §6), or null for
 * a phone number (no SCO of STIX 2.1 holds one: it is left out of the export rather than given an id
 * no other producer would compute).
 *   domain-name, ipv4-addr, ipv6-addr, url, email-addr   value
 *   file                                                  hashes ({"SHA-256": …})
 *   user-account                                          account_type (the platform), user_id (the handle)
 */
export function scoProperties(o: Observable): { type: string; properties: Record<string, unknown> } | null {
  switch (o.type) {
    case 'domain-name': case 'ipv4-addr': case 'ipv6-addr': case 'url': case 'email-addr':
      return { type: o.type, properties: { value: o.value } };
    case 'file': return { type: 'file', properties: { hashes: { 'SHA-256': o.value } } };
    case 'user-account': return { type: 'user-account', properties: { account_type: o.platform, user_id: o.value } };
    case 'phone-number': return null;
  }
}

/** The SCO's id STIX 2.1 defines: UUIDv5 in SCO_NAMESPACE of the canonical JSON of its ID contributing properties. */
export const scoId = (type: string, properties: Record<string, unknown>) => `${type}--${uuidv5(canonicalJson(properties), SCO_NAMESPACE)}`;

export const observableRelationshipId = (incidentId: string, sco: string) => `relationship--${uuidv5(`related-to:${incidentId}:${sco}`)}`;

/**
 * Each observable of the incident (but phone numbers) as its SCO, and a `related-to` relationship
 * from the incident to it, dated when the observable was added (its timeline event), marked with
 * the incident's TLP.
 */
export function observableObjects(incident: Incident, events: readonly TimelineEvent[]): StixObject[] {
  const addedAt = new Map<string, string>();
  for (const e of events) {
    if ((e.type === 'reported' || e.type === 'observables_added') && Array.isArray(e.data.observables)) {
      for (const o of e.data.observables as Observable[]) if (!addedAt.has(observableKey(o))) addedAt.set(observableKey(o), stamp(e.at));
    }
  }
  const marking = [TLP_MARKING_IDS[incident.tlp]];
  const out: StixObject[] = [];
  for (const o of incident.observables) {
    const sco = scoProperties(o);
    if (!sco) continue;
    const id = scoId(sco.type, sco.properties);
    const at = addedAt.get(observableKey(o)) ?? stamp(incident.reportedAt);
    out.push({ type: sco.type, spec_version: '2.1', id, ...sco.properties, object_marking_refs: marking });
    out.push({
      type: 'relationship', spec_version: '2.1', id: observableRelationshipId(incident.id, id),
      created_by_ref: identityId(incident.reporter.orgId), created: at, modified: at,
      relationship_type: 'related-to', source_ref: incidentStixId(incident.id), target_ref: id,
      ...(o.note ? { description: o.note } : {}),
      object_marking_refs: marking,
    });
  }
  return out;
}

/** The SCO types a posted envelope may carry as observables. */
export const SCO_TYPES: ReadonlySet<string> = new Set(['domain-name', 'ipv4-addr', 'ipv6-addr', 'url', 'email-addr', 'file', 'user-account']);

/**
 * A posted SCO as an observable (not yet canonical: the caller canonicalizes it), or why it cannot
 * be one: a file needs a SHA-256 hash, a user account its account_type and user_id (or account_login).
 */
export function observableOfSco(obj: Record<string, unknown>): { ok: true; observable: { type: string; value: string; platform?: string } } | { ok: false; reason: string } {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (obj.type) {
    case 'domain-name': case 'ipv4-addr': case 'ipv6-addr': case 'url': case 'email-addr': {
      const value = text(obj.value);
      return value ? { ok: true, observable: { type: obj.type, value } } : { ok: false, reason: `a ${obj.type} needs its value (a string)` };
    }
    case 'file': {
      const hashes = isObject(obj.hashes) ? obj.hashes : {};
      const sha = text(hashes['SHA-256']) ?? text(hashes.SHA256);
      return sha ? { ok: true, observable: { type: 'file', value: sha } } : { ok: false, reason: 'Concord records a file by its SHA-256: hashes must have "SHA-256"' };
    }
    case 'user-account': {
      const platform = text(obj.account_type);
      const handle = text(obj.user_id) ?? text(obj.account_login);
      return platform && handle ? { ok: true, observable: { type: 'user-account', value: handle, platform } } : { ok: false, reason: 'a user-account needs account_type (the platform) and user_id or account_login' };
    }
    default: return { ok: false, reason: `Concord takes no observable of type ${String(obj.type).slice(0, 100)}` };
  }
}

/** The property of the exported incident counting the notes a bounded export left out. */
export const NOTES_OMITTED_PROPERTY = 'x_concord_notes_omitted';

/**
 * The incident as one STIX 2.1 bundle; the same incident yields the same bundle, byte for byte.
 * With `maxBytes` (as answerBytes counts), the notes are kept oldest first while the bundle stays
 * within it; the rest are left out and counted on the incident object (NOTES_OMITTED_PROPERTY).
 */
export function incidentBundle(input: ExportInput, maxBytes = Infinity): { type: 'bundle'; id: string; objects: StixObject[] } {
  const modified = lastChangeAt(input.incident, input.events);
  const id = `bundle--${uuidv5(`bundle:${input.incident.id}:${modified}`)}`;
  // The observables follow the incident, before its notes (which a bounded export may leave out).
  const objects = incidentObjects(input).map((o) => o.object);
  const isNote = (o: StixObject) => o.type === 'note';
  // The bundle without its notes, with room for the count of those left out; then notes while they fit.
  let bytes = answerBytes({ type: 'bundle', id, objects: objects.filter((o) => !isNote(o)) }) + 64;
  let omitted = 0;
  const kept = objects.filter((o) => {
    if (!isNote(o)) return true;
    if (omitted === 0 && (bytes += answerBytes(o) + 1) <= maxBytes) return true;
    omitted++;
    return false;
  });
  return {
    type: 'bundle',
    id,
    objects: omitted ? kept.map((o) => (o.type === 'incident' ? { ...o, [NOTES_OMITTED_PROPERTY]: omitted } : o)) : kept,
  };
}

/** What a posted STIX `incident` becomes, or why it cannot become one. */
export type ImportResult = { ok: true; input: ReportInput } | { ok: false; reason: string };

/** The Concord extension property naming participants on a posted incident. */
export const PARTICIPANTS_PROPERTY = 'x_concord_participants';

export interface ImportDefaults { participants?: readonly string[]; tlp?: Tlp }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Concord incident a STIX incident is the export of, if it is one: its `concord` external
 * reference names the incident, and its id is that incident's deterministic id. Computed from the
 * object alone (nothing is looked up), so the answer tells the poster nothing it did not send.
 */
export function concordIncidentOf(obj: Record<string, unknown>): string | null {
  const refs = Array.isArray(obj.external_references) ? obj.external_references : [];
  // Only an id an incident can have: any other text is no incident of ours (and may be no key DynamoDB takes).
  const ref = refs.find((r) => isObject(r) && r.source_name === 'concord' && typeof r.external_id === 'string' && isIncidentId(r.external_id) && incidentStixId(r.external_id) === obj.id);
  return ref ? String((ref as Record<string, unknown>).external_id) : null;
}

/**
 * A STIX `incident` as a report: title from name, description, TLP from `object_marking_refs`
 * (the narrowest TLP marking listed; none → AMBER, or the key's default when it is narrower —
 * never wider than AMBER), severity and category from the Incident Core extension (else medium,
 * other), participants from `x_concord_participants` (else the key's defaults), the STIX id as the
 * dedupKey. Field limits are checked by the caller against the API's own report schema.
 */
export function reportFromStix(obj: Record<string, unknown>, defaults: ImportDefaults = {}): ImportResult {
  if (typeof obj.name !== 'string') return { ok: false, reason: 'an incident needs a name (string)' };
  if (obj.description !== undefined && typeof obj.description !== 'string') return { ok: false, reason: 'description must be a string' };
  const refs = obj.object_marking_refs;
  if (refs !== undefined && !(Array.isArray(refs) && refs.every((r) => typeof r === 'string'))) {
    return { ok: false, reason: 'object_marking_refs must be a list of marking-definition ids' };
  }
  // Refused rather than guessed: a label Concord cannot read could be narrower than AMBER.
  if (obj.granular_markings !== undefined) {
    return { ok: false, reason: 'granular_markings are not supported: mark the whole object with a TLP marking (object_marking_refs), so its narrowest label applies to all of it' };
  }
  const unknown = ((refs ?? []) as string[]).filter((r) => tlpOfMarking(r) === undefined);
  if (unknown.length) {
    return { ok: false, reason: `object_marking_refs names ${unknown.length === 1 ? 'a marking' : 'markings'} Concord cannot interpret (${unknown.slice(0, 3).join(', ')}); only the TLP 2.0 and 1.0 marking-definitions published by OASIS are understood` };
  }
  const marked = ((refs ?? []) as string[]).map(tlpOfMarking).filter((t): t is Tlp => t !== undefined);
  // Some producers also say it in `labels` ("tlp:red"): a label may narrow the TLP, never widen it.
  const labelled = (Array.isArray(obj.labels) ? obj.labels : [])
    .map((l) => (typeof l === 'string' ? /^tlp:\s*(clear|white|green|amber\+strict|amber|red)$/i.exec(l.trim())?.[1]?.toUpperCase() : undefined))
    .map((t) => (t === 'WHITE' ? 'CLEAR' : t) as Tlp | undefined)
    .filter((t): t is Tlp => t !== undefined);
  const fallback: Tlp = defaults.tlp && TLP_ORDER.indexOf(defaults.tlp) > TLP_ORDER.indexOf('AMBER') ? defaults.tlp : 'AMBER';
  const tlp = narrowestTlp([marked.length ? narrowestTlp(marked) : fallback, ...labelled]);

  const extensions = isObject(obj.extensions) ? obj.extensions : {};
  const core = isObject(extensions[INCIDENT_CORE_EXTENSION]) ? extensions[INCIDENT_CORE_EXTENSION] as Record<string, unknown> : {};
  let severity: Severity = 'medium';
  if (core.criticality !== undefined) {
    if (typeof core.criticality !== 'number' || !Number.isInteger(core.criticality) || core.criticality < 0 || core.criticality > 100) {
      return { ok: false, reason: 'the Incident Core criticality must be an integer from 0 to 100' };
    }
    severity = severityOfCriticality(core.criticality);
  }
  const category = Array.isArray(core.incident_types) ? categoryOfTypes(core.incident_types) ?? 'other' : 'other';

  const listed = obj[PARTICIPANTS_PROPERTY];
  if (listed !== undefined && !(Array.isArray(listed) && listed.every((p) => typeof p === 'string'))) {
    return { ok: false, reason: `${PARTICIPANTS_PROPERTY} must be a list of organization ids` };
  }
  const participants = (listed as string[] | undefined) ?? [...(defaults.participants ?? [])];

  // References become links where they can: an http(s) URL a link may hold, its description (or
  // source) as one line of text. Others are left out rather than failing the incident.
  const links = Array.isArray(obj.external_references)
    ? obj.external_references.filter(isObject).flatMap((r) => {
      const href = typeof r.url === 'string' && r.url.length <= 2048 && /^https?:\/\//i.test(r.url) && asUri(r.url) ? r.url : null;
      if (!href) return [];
      const label = typeof r.description === 'string' ? r.description : typeof r.source_name === 'string' ? r.source_name : '';
      const text = label.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim().slice(0, 200).trim();
      return [{ href, ...(text ? { text } : {}) }];
    }).slice(0, 20)
    : [];

  return {
    ok: true,
    input: {
      title: obj.name,
      ...(typeof obj.description === 'string' && obj.description !== '' ? { description: obj.description } : {}),
      severity,
      category,
      tlp,
      participants,
      dedupKey: obj.id as string,
      source: STIX_SOURCE,
      ...(links.length ? { links } : {}),
    },
  };
}
