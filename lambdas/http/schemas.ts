/**
 * The request and response schemas: the single source for validation, types and the OpenAPI
 * document. Bodies are strict objects, so an unknown field is a 400, never silently ignored.
 */
import * as z from 'zod';
import { CATEGORIES, MAX_DETAILS_BYTES, PHASES, RELATIONS, SEVERITIES, STATUSES } from '../domain/incident';
import { isIncidentId } from '../shared/ids';
import { TLPS } from '../domain/tlp';
import { ROLES } from '../domain/actor';
import { JsonNumber, stringifyJson } from '../shared/json';
import { AUDIT_ACTIONS } from '../domain/audit-entry';
import { BIDI_CONTROLS, hasBidiControl } from '../shared/bidi';
import { isLoopbackHostname } from '../shared/loopback';
import { LIST_SCOPES } from '../domain/incident';
import { localMode } from '../config/env';
import { MAX_OBSERVABLES, MAX_OBSERVABLE_NOTE, MAX_OBSERVABLE_VALUE, OBSERVABLE_TYPES, canonicalize } from '../domain/observables';
import { CONTACT_ID_PATTERN, isTimeZone } from '../domain/contact-ids';

export const ORG_ID_PATTERN = /^[a-z0-9-]{2,40}$/;
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;
export const MAX_PARTICIPANTS = 50;

/**
 * A visible character: not white space, not a control or format character (zero-width spaces,
 * joiners, direction marks), not unassigned, private-use or a noncharacter, not a lone combining
 * mark, not one of Unicode's blank fillers.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]/u;
export const hasVisible = (s: string) => VISIBLE.test(s);
/** Single-line fields: no control characters at all (a line break in a title could fake an email's layout). */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
/** Multi-line fields: line breaks and tabs, nothing else of the control characters. */
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const visible = (schema: z.ZodString, min: number) =>
  schema.refine((s) => s.length === 0 || hasVisible(s), 'must have a visible character')
    .refine((s) => s.length >= min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);

/**
/**
 * The rules of text fields as the OpenAPI document states them, so that clients (the responders'
 * app among them) read them instead of copying: `pattern` (ECMA-262 with the `u` flag, as JSON
 * Schema 2020-12 asks) refuses the characters the field refuses, and `x-visible` is the class of
 * which a non-empty value must hold at least one character. Both are made from the very regular
 * expressions that validate.
 */
const textRules = (refused: RegExp) => ({ pattern: `^(?:(?!${refused.source})[\\s\\S])*$`, 'x-visible': VISIBLE.source });

/**
 * No bidirectional override or isolate control (U+202A–U+202E, U+2066–U+2069): in one line they
 * reorder what follows (`Invoice \u202efdp.exe` renders as "Invoice exe.pdf"). Multi-line text may
 * keep them (the app isolates it); every single-line field refuses them through `line`.
 */
export const noBidiControls = <T extends z.ZodType<string>>(schema: T) =>
  schema.refine((s) => !hasBidiControl(s), 'must not contain bidirectional override or isolate controls (U+202A–U+202E, U+2066–U+2069)');

/** What a single line refuses, as one class for its OpenAPI `pattern`: control characters and bidirectional controls. */
const SINGLE_LINE_REFUSED = new RegExp(`[${CONTROL.source.slice(1, -1)}${BIDI_CONTROLS.source.slice(1, -1)}]`, 'u');

/**
 * One line a person or a system wrote: a length range, at least one visible character, no control
 * characters, no bidirectional controls. Every single-line text field is one of these.
 */
export const line = (min: number, max: number) =>
  visible(noBidiControls(z.string().max(max).refine((s) => !CONTROL.test(s), 'must be a single line without control characters')), min)
    .meta({ minLength: min, description: 'One line: at least one visible character, no control characters, no bidirectional controls (U+202A–U+202E, U+2066–U+2069).', ...textRules(SINGLE_LINE_REFUSED) });

/** Text a person wrote, over several lines: at least one visible character; of the control characters only line breaks and tabs. */
export const text = (min: number, max: number) =>
  visible(z.string().max(max).refine((s) => !CONTROL_BUT_LINES.test(s), 'must not contain control characters other than line breaks and tabs'), min)
    .meta({ minLength: min, ...textRules(CONTROL_BUT_LINES) });

/** The system's own actor in timelines (`concord`): no organization may take that id. */
export const RESERVED_ORG_IDS: readonly string[] = ['concord', 'unknown'];

export const OrgId = /* @__PURE__ */ (() => z.string().regex(ORG_ID_PATTERN, 'lowercase letters, digits and "-", 2–40 characters')
  .refine((id) => !RESERVED_ORG_IDS.includes(id), 'is reserved for the service itself')
  .meta({ id: 'OrgId', example: 'cisa' }))();

/** Path parameters: an organization id, an API key id. */
export const OrgParams = /* @__PURE__ */ (() => z.strictObject({ id: OrgId }))();
export const KeyParams = /* @__PURE__ */ (() => z.strictObject({ keyId: z.string().regex(/^key_[0-9a-f]{24}$/, 'is not a key id') }))();

export const Link = /* @__PURE__ */ (() => z.strictObject({
  href: noBidiControls(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048)),
  text: line(1, 200).optional(),
}).meta({ id: 'Link' }))();

// Passed through as parsed (not rebuilt as a record would be), so numbers keep their text and a
// key such as "__proto__" survives.
const Details = /* @__PURE__ */ (() => z.custom<Record<string, unknown>>((d) => d !== null && typeof d === 'object' && !Array.isArray(d) && !(d instanceof JsonNumber), 'must be a JSON object')
  .refine((d) => Buffer.byteLength(stringifyJson(d), 'utf8') <= MAX_DETAILS_BYTES, `must be at most ${MAX_DETAILS_BYTES} bytes as JSON`)
  .meta({ type: 'object', description: 'Any JSON object, at most 16 KiB, returned exactly as sent (numbers keep every digit).' }))();

/**
 * An observable as given: each is checked by the very function that writes its canonical form
 * (domain/observables.ts), so every invalid one of a body is listed (`observables.<i>.value`) with why.
 */
export const ObservableInput = /* @__PURE__ */ (() => z.strictObject({
  type: z.enum(OBSERVABLE_TYPES).meta({ description: 'STIX 2.1 cyber-observable type.' }),
  value: z.string().min(1).max(MAX_OBSERVABLE_VALUE).meta({ description: 'Stored and answered in canonical form: domains lowercased IDNA A-labels without trailing dot; URLs as WHATWG serializes them, no fragment; IPv4 without leading zeros (refused); IPv6 per RFC 5952; email domain lowercased; user-account handle lowercased without "@"; SHA-256 lowercase hex; phone numbers E.164.' }),
  platform: z.string().min(1).max(64).optional().meta({ description: 'The platform of a `user-account` (e.g. `twitter`); lowercased.' }),
  note: line(1, MAX_OBSERVABLE_NOTE).optional(),
}).superRefine((o, ctx) => {
  const c = canonicalize(o);
  if (!c.ok) ctx.addIssue({ code: 'custom', path: [c.path], message: c.reason });
}).meta({ id: 'Observable' }))();

export const ObservableList = /* @__PURE__ */ (() => z.array(ObservableInput).max(MAX_OBSERVABLES))();

export const AddObservablesBody = /* @__PURE__ */ (() => z.strictObject({
  observables: z.array(ObservableInput).min(1).max(MAX_OBSERVABLES).meta({ description: 'Those already on the incident (same type, canonical value and platform) are left as they are.' }),
}).meta({ id: 'AddObservables' }))();

export const RelatedQuery = /* @__PURE__ */ (() => z.strictObject({
  limit: z.coerce.number<string>().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}))();

export const ObservableLookupQuery = /* @__PURE__ */ (() => z.strictObject({
  type: z.enum(OBSERVABLE_TYPES),
  value: z.string().min(1).max(MAX_OBSERVABLE_VALUE).meta({ description: 'Any spelling: it is canonicalized as on report.' }),
  platform: z.string().min(1).max(64).optional().meta({ description: 'Required for `user-account`.' }),
  limit: z.coerce.number<string>().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}).superRefine((q, ctx) => {
  const c = canonicalize({ type: q.type, value: q.value, platform: q.platform });
  if (!c.ok) ctx.addIssue({ code: 'custom', path: [c.path], message: c.reason });
}))();

export const ReportIncidentBody = /* @__PURE__ */ (() => z.strictObject({
  title: line(1, 200),
  description: text(0, 10000).optional(),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  tlp: z.enum(TLPS).optional().meta({ description: 'Traffic Light Protocol 2.0 label. Default AMBER.' }),
  participants: z.array(OrgId).max(MAX_PARTICIPANTS).optional()
    .meta({ description: 'Organizations to involve; the reporter always participates.' }),
  dedupKey: line(1, 255).optional()
    .meta({ description: 'While an incident with this key from your organization is unresolved, reporting it again returns that incident (200).' }),
  source: line(1, 200).optional(),
  links: z.array(Link).max(20).optional(),
  details: Details.optional(),
  observables: ObservableList.optional().meta({ description: 'At most 200; see Observable.' }),
}).meta({ id: 'ReportIncident' }))();

export const AcknowledgeBody = /* @__PURE__ */ (() => z.strictObject({
  by: line(1, 200).optional().meta({ description: 'The responder acknowledging.' }),
  note: text(1, 5000).optional(),
}).meta({ id: 'Acknowledge' }))();

export const AssignBody = /* @__PURE__ */ (() => z.strictObject({
  orgId: OrgId,
  responder: line(1, 200).optional(),
  note: text(1, 5000).optional(),
}).meta({ id: 'Assign' }))();

export const ResolveBody = /* @__PURE__ */ (() => z.strictObject({ resolution: text(1, 5000) }).meta({ id: 'Resolve' }))();

export const NoteBody = /* @__PURE__ */ (() => z.strictObject({ text: text(1, 5000) }).meta({ id: 'Note' }))();

export const InviteBody = /* @__PURE__ */ (() => z.strictObject({
  orgIds: z.array(OrgId).min(1).max(MAX_PARTICIPANTS).meta({ description: 'Organizations of the directory to bring in; those already participating are left as they are.' }),
  note: text(1, 5000).optional(),
}).meta({ id: 'Invite' }))();

/** The fields a merge patch may change but not remove. */
const NOT_REMOVABLE = ['title', 'severity', 'category', 'tlp'] as const;

/**
 * PATCH: a JSON merge patch (RFC 7396) of the editable fields. Absent: unchanged; `null` removes
 * (description, links); title, severity, category and tlp may be changed but not removed.
 */
export const EditBody = /* @__PURE__ */ (() => z.strictObject({
  title: line(1, 200).nullable().optional().meta({ description: 'May be changed, not removed (null is a 400).' }),
  description: text(0, 10000).nullable().optional().meta({ description: '`null` or "" removes it.' }),
  severity: z.enum(SEVERITIES).nullable().optional().meta({ description: 'May be changed, not removed (null is a 400).' }),
  category: z.enum(CATEGORIES).nullable().optional().meta({ description: 'May be changed, not removed (null is a 400).' }),
  links: z.array(Link).max(20).nullable().optional().meta({ description: 'Replaces the list; `null` empties it.' }),
  tlp: z.enum(TLPS).nullable().optional().meta({ description: 'Only the reporter\'s organization may change it (403 otherwise); may not be removed.' }),
}).superRefine((patch, ctx) => {
  for (const field of NOT_REMOVABLE) {
    if (patch[field] === null) ctx.addIssue({ code: 'custom', path: [field], message: 'may not be removed (null); send a value' });
  }
  if (Object.keys(patch).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'names no field to change (title, description, severity, category, links, tlp)' });
}).meta({ id: 'EditIncident' }))();

export const ReopenBody = /* @__PURE__ */ (() => z.strictObject({ reason: text(1, 5000) }).meta({ id: 'Reopen' }))();

export const StatusUpdateBody = /* @__PURE__ */ (() => z.strictObject({
  summary: line(1, 2000).meta({ description: 'One line for everyone: what is known now.' }),
  phase: z.enum(PHASES).optional(),
  nextUpdateInMinutes: z.number().int().min(5).max(1440).optional().meta({ description: 'When the next update is due; a reminder follows if none is posted by then.' }),
}).meta({ id: 'StatusUpdate' }))();

export const IncidentId = /* @__PURE__ */ (() => z.string().max(40).refine(isIncidentId, 'is not an incident id').meta({ example: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF' }))();

export const LinkBody = /* @__PURE__ */ (() => z.strictObject({
  incidentId: IncidentId,
  relation: z.enum(RELATIONS).meta({ description: '`duplicate` also resolves this incident as "Duplicate of <incidentId>".' }),
}).meta({ id: 'LinkIncident' }))();

export const LinkParams = /* @__PURE__ */ (() => z.strictObject({ id: z.string().max(40), otherId: IncidentId }))();

export const ListIncidentsQuery = /* @__PURE__ */ (() => z.strictObject({
  status: z.enum(STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  participant: OrgId.optional(),
  scope: z.enum(LIST_SCOPES).default('own').meta({ description: '`own`: your organization\'s incidents (for managers, every incident you may see); `community`: every GREEN and CLEAR incident of the community.' }),
  limit: z.coerce.number<string>().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}))();

export const TimelineQuery = /* @__PURE__ */ (() => z.strictObject({
  limit: z.coerce.number<string>().int().min(1).max(100).default(100),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}))();

export const AuditQuery = /* @__PURE__ */ (() => z.strictObject({
  limit: z.coerce.number<string>().int().min(1).max(100).default(100),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}))();

const AuditInstant = /* @__PURE__ */ (() => z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString())
  .meta({ description: 'An ISO-8601 date-time, such as 2026-11-25T00:00:00Z.' }))();

export const AuditWindowQuery = /* @__PURE__ */ (() => z.strictObject({
  from: AuditInstant.optional().meta({ description: 'Start of the window (inclusive). Default: 24 hours before `to`.' }),
  to: AuditInstant.optional().meta({ description: 'End of the window (exclusive). Default: now.' }),
  orgId: z.string().regex(/^([a-z0-9-]{2,40}|unknown|concord)$/, 'an organization id').optional().meta({ description: 'Only entries whose actor is of this organization (`unknown` for refused credentials).' }),
  action: z.enum(AUDIT_ACTIONS).optional(),
  limit: z.coerce.number<string>().int().min(1).max(100).default(100),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
}))();

/** An IANA time zone Intl knows (never an offset). */
export const TimeZone = /* @__PURE__ */ (() => z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, such as America/New_York').meta({ example: 'America/New_York' }))();

export const Contact = /* @__PURE__ */ (() => z.strictObject({
  id: z.string().regex(CONTACT_ID_PATTERN, 'lowercase letters, digits and "-", 2–40 characters').optional()
    .meta({ description: 'Unique within the organization. When absent: the id a contact of this name already has, else derived from the name (kept from then on).' }),
  name: line(1, 200),
  email: z.email().max(254).optional().nullable(),
  phone: z.string().regex(E164_PATTERN, 'must be an E.164 phone number such as +12025550101').optional().nullable(),
  red: z.boolean().optional().meta({ description: 'Cleared for TLP:RED: subscribed to the organization\'s second topic, the only one RED incidents are sent to.' }),
  timeZone: TimeZone.optional(),
}).meta({ id: 'Contact' }))();

/**
 * A URL the service itself calls: https; on loopback (http or https) only in local mode, which
 * `npm start` runs there (its identity provider, its SNS stand-in's receivers) and a deployed
 * stage never is (`CONCORD_LOCAL_MODE`); and whatever else `allowed` asks of it.
 */
const httpsOrLoopback = (allowed: (url: URL) => boolean, message: string) => noBidiControls(z.url({ protocol: /^https?$/ }).max(500))
  .superRefine((u, ctx) => {
    // zod runs this even when z.url() has already refused the value: only a parseable URL is judged.
    const url = URL.canParse(u) ? new URL(u) : null;
    if (!url) return;
    const loopback = isLoopbackHostname(url.hostname);
    if (loopback && !localMode()) ctx.addIssue({ code: 'custom', message: 'must not be a loopback host (localhost, 127.0.0.0/8, ::1): only npm start accepts one' });
    else if (!allowed(url) || (url.protocol !== 'https:' && !loopback)) ctx.addIssue({ code: 'custom', message });
  });

/** An issuer URL: the issuer of a local identity provider may be http. */
const issuerUrl = /* @__PURE__ */ (() => httpsOrLoopback((u) => !u.hash && !u.search, 'must be an https URL without query or fragment (http only on localhost, under npm start)'))();

export const IdentityProvider = /* @__PURE__ */ (() => z.strictObject({
  issuer: issuerUrl.meta({ description: 'The OpenID Connect issuer (`iss`); its discovery document names its keys.' }),
  audience: line(1, 200).meta({ description: 'The `aud` its tokens carry for Concord.' }),
  rolesClaim: z.string().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'a claim name').optional().meta({ description: 'The claim whose values grant roles (a string or an array of strings).' }),
  roles: z.record(line(1, 200), z.enum(['manager', 'admin'])).optional()
    .refine((r) => !r || Object.keys(r).length <= 50, 'at most 50 mappings')
    .meta({ description: 'Claim value → role. Everyone else is a partner.' }),
  orgClaim: z.string().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'a claim name').optional()
    .meta({ description: 'The claim naming the organization, for an issuer several organizations trust (default `org`).' }),
}).meta({ id: 'IdentityProvider' }))();

/** Where SNS pushes (loopback only under npm start, whose stand-in delivers there). */
const pushUrl = /* @__PURE__ */ (() => httpsOrLoopback((u) => !u.username && !u.password, 'must be an https URL without credentials (http only on localhost, under npm start)'))();

export const PushEndpoint = /* @__PURE__ */ (() => z.strictObject({
  url: pushUrl.meta({ description: 'SNS posts each notification here, signed (SignatureVersion 2).' }),
  red: z.boolean().default(false).meta({ description: 'Also receives TLP:RED notifications (subscribed to the organization\'s RED topic).' }),
}).meta({ id: 'PushEndpoint' }))();

export const OrganizationBody = /* @__PURE__ */ (() => z.strictObject({
  name: line(1, 200),
  kind: z.enum(['agency', 'company']),
  contacts: z.array(Contact).max(100).default([]).meta({ description: 'Who is notified; may be empty.' }),
  identity: z.array(IdentityProvider).max(5).optional().meta({ description: 'The OpenID Connect issuers that sign its people in.' }),
  endpoints: z.array(PushEndpoint).max(10).optional().meta({ description: 'HTTPS endpoints of its systems that receive every notification as a signed SNS push.' }),
}).superRefine((org, ctx) => {
  const seen = new Set<string>();
  (org.identity ?? []).forEach((p, i) => {
    if (seen.has(p.issuer)) ctx.addIssue({ code: 'custom', path: ['identity', i, 'issuer'], message: 'listed twice' });
    seen.add(p.issuer);
  });
  const contactIdAt = new Map<string, number>();
  org.contacts.forEach((c, i) => {
    if (!c.id) return;
    if (contactIdAt.has(c.id)) ctx.addIssue({ code: 'custom', path: ['contacts', i, 'id'], message: `duplicate contact id "${c.id}" (also contacts.${contactIdAt.get(c.id)})` });
    else contactIdAt.set(c.id, i);
  });
  const urls = new Set<string>();
  (org.endpoints ?? []).forEach((e, i) => {
    if (urls.has(e.url)) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'url'], message: 'listed twice' });
    urls.add(e.url);
  });
}).meta({ id: 'OrganizationInput' }))();

export const KeyDefaults = /* @__PURE__ */ (() => z.strictObject({
  participants: z.array(OrgId).max(MAX_PARTICIPANTS).optional(),
  tlp: z.enum(TLPS).optional(),
}).meta({ id: 'KeyDefaults', description: 'For partner keys used as integration routing keys (PagerDuty Events API, CloudWatch): the participants and TLP their events are reported with.' }))();

/** `defaults` configure integration routing keys, which are partner keys: on other roles they would mean nothing. */
export const defaultsOnPartnersOnly = (key: { role: string; defaults?: unknown }, ctx: z.RefinementCtx) => {
  if (key.defaults !== undefined && key.role !== 'partner') {
    ctx.addIssue({ code: 'custom', path: ['defaults'], message: `only partner keys take defaults (they configure integration routing keys); a ${key.role} key does not` });
  }
};

export const CreateKeyBody = /* @__PURE__ */ (() => z.strictObject({ role: z.enum(ROLES), defaults: KeyDefaults.optional() })
  .superRefine(defaultsOnPartnersOnly).meta({ id: 'CreateKey' }))();

export const ReplayBody = /* @__PURE__ */ (() => z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }).meta({ id: 'Replay' }))();

/** /app receives the identity provider's answer in its query (RFC 6749 §4.1.2, RFC 9207's `iss`); the page reads it, the server only allows it. */
const callbackParam = /* @__PURE__ */ (() => z.string().max(4096).optional())();
export const AppQuery = /* @__PURE__ */ (() => z.strictObject({
  code: callbackParam, state: callbackParam, iss: callbackParam, session_state: callbackParam,
  error: callbackParam, error_description: callbackParam, error_uri: callbackParam,
}))();
