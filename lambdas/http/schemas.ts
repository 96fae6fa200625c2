/**
 * The request and response schemas: the single source for validation, types and the OpenAPI
 * document. Bodies are strict objects, so an unknown field is a 400, never silently ignored.
 *
 * Built with zod/mini (http/zod-mini.ts says why), one check per `.check()` and `withMeta` for
 * classic's `.meta()`: the same chain of schemas classic's methods built, so the same messages and
 * the same OpenAPI document.
 */
import * as z from './zod-mini';
import { built, withMeta } from './zod-mini';
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

const visible = (schema: z.ZodMiniString<string>, min: number) =>
  schema.check(z.refine((s) => s.length === 0 || hasVisible(s), 'must have a visible character'))
    .check(z.refine((s) => s.length >= min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`));

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
export const noBidiControls = <T extends z.ZodMiniType<string>>(schema: T) =>
  schema.check(z.refine((s) => !hasBidiControl(s), 'must not contain bidirectional override or isolate controls (U+202A–U+202E, U+2066–U+2069)'));

/** What a single line refuses, as one class for its OpenAPI `pattern`: control characters and bidirectional controls. */
const SINGLE_LINE_REFUSED = new RegExp(`[${CONTROL.source.slice(1, -1)}${BIDI_CONTROLS.source.slice(1, -1)}]`, 'u');

/**
 * One line a person or a system wrote: a length range, at least one visible character, no control
 * characters, no bidirectional controls. Every single-line text field is one of these.
 */
export const line = (min: number, max: number) =>
  withMeta(visible(noBidiControls(z.string().check(z.maxLength(max)).check(z.refine((s) => !CONTROL.test(s), 'must be a single line without control characters'))), min),
    { minLength: min, description: 'One line: at least one visible character, no control characters, no bidirectional controls (U+202A–U+202E, U+2066–U+2069).', ...textRules(SINGLE_LINE_REFUSED) });

/** Text a person wrote, over several lines: at least one visible character; of the control characters only line breaks and tabs. */
export const text = (min: number, max: number) =>
  withMeta(visible(z.string().check(z.maxLength(max)).check(z.refine((s) => !CONTROL_BUT_LINES.test(s), 'must not contain control characters other than line breaks and tabs')), min),
    { minLength: min, ...textRules(CONTROL_BUT_LINES) });

/** The system's own actor in timelines (`concord`): no organization may take that id. */
export const RESERVED_ORG_IDS: readonly string[] = ['concord', 'unknown'];

export const OrgId = /* @__PURE__ */ built(() => withMeta(z.string().check(z.regex(ORG_ID_PATTERN, 'lowercase letters, digits and "-", 2–40 characters'))
  .check(z.refine((id) => !RESERVED_ORG_IDS.includes(id), 'is reserved for the service itself')),
  { id: 'OrgId', example: 'cisa' }));

/** Path parameters: an organization id, an API key id. */
export const OrgParams = /* @__PURE__ */ built(() => z.strictObject({ id: OrgId }));
export const KeyParams = /* @__PURE__ */ built(() => z.strictObject({ keyId: z.string().check(z.regex(/^key_[0-9a-f]{24}$/, 'is not a key id')) }));

export const Link = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  href: noBidiControls(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).check(z.maxLength(2048))),
  text: z.optional(line(1, 200)),
}), { id: 'Link' }));

// Passed through as parsed (not rebuilt as a record would be), so numbers keep their text and a
// key such as "__proto__" survives.
const Details = /* @__PURE__ */ built(() => withMeta(z.custom<Record<string, unknown>>((d) => d !== null && typeof d === 'object' && !Array.isArray(d) && !(d instanceof JsonNumber), 'must be a JSON object')
  .check(z.refine((d) => Buffer.byteLength(stringifyJson(d), 'utf8') <= MAX_DETAILS_BYTES, `must be at most ${MAX_DETAILS_BYTES} bytes as JSON`)),
  { type: 'object', description: 'Any JSON object, at most 16 KiB, returned exactly as sent (numbers keep every digit).' }));

/**
 * An observable as given: each is checked by the very function that writes its canonical form
 * (domain/observables.ts), so every invalid one of a body is listed (`observables.<i>.value`) with why.
 */
export const ObservableInput = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  type: withMeta(z.enum(OBSERVABLE_TYPES), { description: 'STIX 2.1 cyber-observable type.' }),
  value: withMeta(z.string().check(z.minLength(1)).check(z.maxLength(MAX_OBSERVABLE_VALUE)), { description: 'Stored and answered in canonical form: domains lowercased IDNA A-labels without trailing dot; URLs as WHATWG serializes them, no fragment; IPv4 without leading zeros (refused); IPv6 per RFC 5952; email domain lowercased; user-account handle lowercased without "@"; SHA-256 lowercase hex; phone numbers E.164.' }),
  platform: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))), { description: 'The platform of a `user-account` (e.g. `twitter`); lowercased.' }),
  note: z.optional(line(1, MAX_OBSERVABLE_NOTE)),
}).check(z.superRefine((o, ctx) => {
  const c = canonicalize(o);
  if (!c.ok) ctx.addIssue({ code: 'custom', path: [c.path], message: c.reason });
})), { id: 'Observable' }));

export const ObservableList = /* @__PURE__ */ built(() => z.array(ObservableInput).check(z.maxLength(MAX_OBSERVABLES)));

export const AddObservablesBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  observables: withMeta(z.array(ObservableInput).check(z.minLength(1)).check(z.maxLength(MAX_OBSERVABLES)), { description: 'Those already on the incident (same type, canonical value and platform) are left as they are.' }),
}), { id: 'AddObservables' }));

export const RelatedQuery = /* @__PURE__ */ built(() => z.strictObject({
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 25),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}));

export const ObservableLookupQuery = /* @__PURE__ */ built(() => z.strictObject({
  type: z.enum(OBSERVABLE_TYPES),
  value: withMeta(z.string().check(z.minLength(1)).check(z.maxLength(MAX_OBSERVABLE_VALUE)), { description: 'Any spelling: it is canonicalized as on report.' }),
  platform: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))), { description: 'Required for `user-account`.' }),
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 25),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}).check(z.superRefine((q, ctx) => {
  const c = canonicalize({ type: q.type, value: q.value, platform: q.platform });
  if (!c.ok) ctx.addIssue({ code: 'custom', path: [c.path], message: c.reason });
})));

export const ReportIncidentBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  title: line(1, 200),
  description: z.optional(text(0, 10000)),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  tlp: withMeta(z.optional(z.enum(TLPS)), { description: 'Traffic Light Protocol 2.0 label. Default AMBER.' }),
  participants: withMeta(z.optional(z.array(OrgId).check(z.maxLength(MAX_PARTICIPANTS))), { description: 'Organizations to involve; the reporter always participates.' }),
  dedupKey: withMeta(z.optional(line(1, 255)), { description: 'While an incident with this key from your organization is unresolved, reporting it again returns that incident (200).' }),
  source: z.optional(line(1, 200)),
  links: z.optional(z.array(Link).check(z.maxLength(20))),
  details: z.optional(Details),
  observables: withMeta(z.optional(ObservableList), { description: 'At most 200; see Observable.' }),
}), { id: 'ReportIncident' }));

export const AcknowledgeBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  by: withMeta(z.optional(line(1, 200)), { description: 'The responder acknowledging.' }),
  note: z.optional(text(1, 5000)),
}), { id: 'Acknowledge' }));

export const AssignBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  orgId: OrgId,
  responder: z.optional(line(1, 200)),
  note: z.optional(text(1, 5000)),
}), { id: 'Assign' }));

export const ResolveBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({ resolution: text(1, 5000) }), { id: 'Resolve' }));

export const NoteBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({ text: text(1, 5000) }), { id: 'Note' }));

export const InviteBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  orgIds: withMeta(z.array(OrgId).check(z.minLength(1)).check(z.maxLength(MAX_PARTICIPANTS)), { description: 'Organizations of the directory to bring in; those already participating are left as they are.' }),
  note: z.optional(text(1, 5000)),
}), { id: 'Invite' }));

/** The fields a merge patch may change but not remove. */
const NOT_REMOVABLE = ['title', 'severity', 'category', 'tlp'] as const;

/**
 * PATCH: a JSON merge patch (RFC 7396) of the editable fields. Absent: unchanged; `null` removes
 * (description, links); title, severity, category and tlp may be changed but not removed.
 */
export const EditBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  title: withMeta(z.optional(z.nullable(line(1, 200))), { description: 'May be changed, not removed (null is a 400).' }),
  description: withMeta(z.optional(z.nullable(text(0, 10000))), { description: '`null` or "" removes it.' }),
  severity: withMeta(z.optional(z.nullable(z.enum(SEVERITIES))), { description: 'May be changed, not removed (null is a 400).' }),
  category: withMeta(z.optional(z.nullable(z.enum(CATEGORIES))), { description: 'May be changed, not removed (null is a 400).' }),
  links: withMeta(z.optional(z.nullable(z.array(Link).check(z.maxLength(20)))), { description: 'Replaces the list; `null` empties it.' }),
  tlp: withMeta(z.optional(z.nullable(z.enum(TLPS))), { description: 'Only the reporter\'s organization may change it (403 otherwise); may not be removed.' }),
}).check(z.superRefine((patch, ctx) => {
  for (const field of NOT_REMOVABLE) {
    if (patch[field] === null) ctx.addIssue({ code: 'custom', path: [field], message: 'may not be removed (null); send a value' });
  }
  if (Object.keys(patch).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'names no field to change (title, description, severity, category, links, tlp)' });
})), { id: 'EditIncident' }));

export const ReopenBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({ reason: text(1, 5000) }), { id: 'Reopen' }));

export const StatusUpdateBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  summary: withMeta(line(1, 2000), { description: 'One line for everyone: what is known now.' }),
  phase: z.optional(z.enum(PHASES)),
  nextUpdateInMinutes: withMeta(z.optional(z.number().check(z.int()).check(z.gte(5)).check(z.lte(1440))), { description: 'When the next update is due; a reminder follows if none is posted by then.' }),
}), { id: 'StatusUpdate' }));

export const IncidentId = /* @__PURE__ */ built(() => withMeta(z.string().check(z.maxLength(40)).check(z.refine(isIncidentId, 'is not an incident id')), { example: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF' }));

export const LinkBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  incidentId: IncidentId,
  relation: withMeta(z.enum(RELATIONS), { description: '`duplicate` also resolves this incident as "Duplicate of <incidentId>".' }),
}), { id: 'LinkIncident' }));

export const LinkParams = /* @__PURE__ */ built(() => z.strictObject({ id: z.string().check(z.maxLength(40)), otherId: IncidentId }));

export const ListIncidentsQuery = /* @__PURE__ */ built(() => z.strictObject({
  status: z.optional(z.enum(STATUSES)),
  severity: z.optional(z.enum(SEVERITIES)),
  participant: z.optional(OrgId),
  scope: withMeta(z._default(z.enum(LIST_SCOPES), 'own'), { description: '`own`: your organization\'s incidents (for managers, every incident you may see); `community`: every GREEN and CLEAR incident of the community.' }),
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 25),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}));

export const TimelineQuery = /* @__PURE__ */ built(() => z.strictObject({
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 100),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}));

export const AuditQuery = /* @__PURE__ */ built(() => z.strictObject({
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 100),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}));

const AuditInstant = /* @__PURE__ */ built(() => withMeta(z.pipe(z.iso.datetime({ offset: true }), z.transform((t) => new Date(t).toISOString())),
  { description: 'An ISO-8601 date-time, such as 2026-11-25T00:00:00Z.' }));

export const AuditWindowQuery = /* @__PURE__ */ built(() => z.strictObject({
  from: withMeta(z.optional(AuditInstant), { description: 'Start of the window (inclusive). Default: 24 hours before `to`.' }),
  to: withMeta(z.optional(AuditInstant), { description: 'End of the window (exclusive). Default: now.' }),
  orgId: withMeta(z.optional(z.string().check(z.regex(/^([a-z0-9-]{2,40}|unknown|concord)$/, 'an organization id'))), { description: 'Only entries whose actor is of this organization (`unknown` for refused credentials).' }),
  action: z.optional(z.enum(AUDIT_ACTIONS)),
  limit: z._default(z.coerce.number<string>().check(z.int()).check(z.gte(1)).check(z.lte(100)), 100),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(512))), { description: 'nextCursor of the previous page.' }),
}));

/** An IANA time zone Intl knows (never an offset). */
export const TimeZone = /* @__PURE__ */ built(() => withMeta(z.string().check(z.maxLength(64)).check(z.refine(isTimeZone, 'must be an IANA time zone, such as America/New_York')), { example: 'America/New_York' }));

export const Contact = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  id: withMeta(z.optional(z.string().check(z.regex(CONTACT_ID_PATTERN, 'lowercase letters, digits and "-", 2–40 characters'))), { description: 'Unique within the organization. When absent: the id a contact of this name already has, else derived from the name (kept from then on).' }),
  name: line(1, 200),
  email: z.nullable(z.optional(z.email().check(z.maxLength(254)))),
  phone: z.nullable(z.optional(z.string().check(z.regex(E164_PATTERN, 'must be an E.164 phone number such as +12025550101')))),
  red: withMeta(z.optional(z.boolean()), { description: 'Cleared for TLP:RED: subscribed to the organization\'s second topic, the only one RED incidents are sent to.' }),
  timeZone: z.optional(TimeZone),
}), { id: 'Contact' }));

/**
 * A URL the service itself calls: https; on loopback (http or https) only in local mode, which
 * `npm start` runs there (its identity provider, its SNS stand-in's receivers) and a deployed
 * stage never is (`CONCORD_LOCAL_MODE`); and whatever else `allowed` asks of it.
 */
const httpsOrLoopback = (allowed: (url: URL) => boolean, message: string) => noBidiControls(z.url({ protocol: /^https?$/ }).check(z.maxLength(500))).check(z.superRefine((u, ctx) => {
    // zod runs this even when z.url() has already refused the value: only a parseable URL is judged.
    const url = URL.canParse(u) ? new URL(u) : null;
    if (!url) return;
    const loopback = isLoopbackHostname(url.hostname);
    if (loopback && !localMode()) ctx.addIssue({ code: 'custom', message: 'must not be a loopback host (localhost, 127.0.0.0/8, ::1): only npm start accepts one' });
    else if (!allowed(url) || (url.protocol !== 'https:' && !loopback)) ctx.addIssue({ code: 'custom', message });
  }));

/** An issuer URL: the issuer of a local identity provider may be http. */
const issuerUrl = /* @__PURE__ */ built(() => httpsOrLoopback((u) => !u.hash && !u.search, 'must be an https URL without query or fragment (http only on localhost, under npm start)'));

export const IdentityProvider = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  issuer: withMeta(issuerUrl, { description: 'The OpenID Connect issuer (`iss`); its discovery document names its keys.' }),
  audience: withMeta(line(1, 200), { description: 'The `aud` its tokens carry for Concord.' }),
  rolesClaim: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(100)).check(z.regex(/^[\x21-\x7e]+$/, 'a claim name'))), { description: 'The claim whose values grant roles (a string or an array of strings).' }),
  roles: withMeta(z.optional(z.record(line(1, 200), z.enum(['manager', 'admin']))).check(z.refine((r) => !r || Object.keys(r).length <= 50, 'at most 50 mappings')), { description: 'Claim value → role. Everyone else is a partner.' }),
  orgClaim: withMeta(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(100)).check(z.regex(/^[\x21-\x7e]+$/, 'a claim name'))), { description: 'The claim naming the organization, for an issuer several organizations trust (default `org`).' }),
}), { id: 'IdentityProvider' }));

/** Where SNS pushes (loopback only under npm start, whose stand-in delivers there). */
const pushUrl = /* @__PURE__ */ built(() => httpsOrLoopback((u) => !u.username && !u.password, 'must be an https URL without credentials (http only on localhost, under npm start)'));

export const PushEndpoint = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  url: withMeta(pushUrl, { description: 'SNS posts each notification here, signed (SignatureVersion 2).' }),
  red: withMeta(z._default(z.boolean(), false), { description: 'Also receives TLP:RED notifications (subscribed to the organization\'s RED topic).' }),
}), { id: 'PushEndpoint' }));

export const OrganizationBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  name: line(1, 200),
  kind: z.enum(['agency', 'company']),
  contacts: withMeta(z._default(z.array(Contact).check(z.maxLength(100)), []), { description: 'Who is notified; may be empty.' }),
  identity: withMeta(z.optional(z.array(IdentityProvider).check(z.maxLength(5))), { description: 'The OpenID Connect issuers that sign its people in.' }),
  endpoints: withMeta(z.optional(z.array(PushEndpoint).check(z.maxLength(10))), { description: 'HTTPS endpoints of its systems that receive every notification as a signed SNS push.' }),
}).check(z.superRefine((org, ctx) => {
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
})), { id: 'OrganizationInput' }));

/** A Teams workflow webhook (loopback only under npm start): https, no credentials in the URL's user part. */
const webhookUrl = /* @__PURE__ */ built(() => httpsOrLoopback((u) => !u.username && !u.password && !u.hash, 'must be an https URL without credentials or fragment (http only on localhost, under npm start)'));

/** Slack ids: upper-case letters and digits (`C0123ABCD`, `T0123ABCD`; `G…` private channels, `E…` Enterprise Grid). */
const slackId = (what: string) => z.string().check(z.regex(/^[A-Z][A-Z0-9]{2,31}$/, `a Slack ${what} id: upper-case letters and digits, 3–32 characters`));

export const ChatChannel = /* @__PURE__ */ built(() => withMeta(z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('slack'),
    channel: withMeta(slackId('channel'), { description: 'The channel id (`C…`, or `G…` for a private channel); invite the Concord app to it.' }),
    team: withMeta(slackId('team (workspace)'), { description: 'The workspace id (`T…`, or `E…` on Enterprise Grid).' }),
  }),
  z.strictObject({
    kind: z.literal('teams'),
    webhookUrl: withMeta(webhookUrl, { description: 'The URL of the channel\'s Workflows webhook ("When a Teams webhook request is received"); Microsoft retired the old incoming webhooks.' }),
  }),
]), { id: 'ChatChannel' }));

export const ChatBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  channels: withMeta(z.array(ChatChannel).check(z.maxLength(20)), { description: 'Every channel the organization\'s incidents are posted to; an empty list disconnects them all.' }),
}).check(z.superRefine((chat, ctx) => {
  const seen = new Set<string>();
  chat.channels.forEach((c, i) => {
    const key = c.kind === 'slack' ? `slack ${c.team} ${c.channel}` : `teams ${c.webhookUrl}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['channels', i], message: 'listed twice' });
    seen.add(key);
  });
})), { id: 'ChatConnections' }));

export const KeyDefaults = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  participants: z.optional(z.array(OrgId).check(z.maxLength(MAX_PARTICIPANTS))),
  tlp: z.optional(z.enum(TLPS)),
}), { id: 'KeyDefaults', description: 'For partner keys used as integration routing keys (PagerDuty Events API, CloudWatch): the participants and TLP their events are reported with.' }));

/** `defaults` configure integration routing keys, which are partner keys: on other roles they would mean nothing. */
export const defaultsOnPartnersOnly = (key: { role: string; defaults?: unknown }, ctx: z.core.$RefinementCtx) => {
  if (key.defaults !== undefined && key.role !== 'partner') {
    ctx.addIssue({ code: 'custom', path: ['defaults'], message: `only partner keys take defaults (they configure integration routing keys); a ${key.role} key does not` });
  }
};

export const CreateKeyBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({ role: z.enum(ROLES), defaults: z.optional(KeyDefaults) }).check(z.superRefine(defaultsOnPartnersOnly)), { id: 'CreateKey' }));

export const ReplayBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({ limit: z.optional(z.number().check(z.int()).check(z.gte(1)).check(z.lte(1000))) }), { id: 'Replay' }));

/** /app receives the identity provider's answer in its query (RFC 6749 §4.1.2, RFC 9207's `iss`); the page reads it, the server only allows it. */
const callbackParam = /* @__PURE__ */ built(() => z.optional(z.string().check(z.maxLength(4096))));
export const AppQuery = /* @__PURE__ */ built(() => z.strictObject({
  code: callbackParam, state: callbackParam, iss: callbackParam, session_state: callbackParam,
  error: callbackParam, error_description: callbackParam, error_uri: callbackParam,
}));
