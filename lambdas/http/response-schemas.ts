/**
 * Response schemas: documented in the OpenAPI document, never validated at run time, so kept out of
 * the functions' bundles.
 */
import * as z from './zod-mini';
import { built, withMeta } from './zod-mini';
import { CATEGORIES, EVENT_TYPES, PHASES, RELATIONS, SEVERITIES, STATUSES, type Incident as DomainIncident, type TimelineEvent as DomainTimelineEvent } from '../domain/incident';
import { TLPS } from '../domain/tlp';
import { ROLES, VIAS } from '../domain/actor';
import { AUDIT_ACTIONS } from '../domain/audit-entry';
import { Link } from './schemas';
import { OBSERVABLE_TYPES } from '../domain/observables';

/** An observable as answered: in canonical form. */
export const ObservableAnswer = /* @__PURE__ */ built(() => withMeta(z.object({
  type: z.enum(OBSERVABLE_TYPES),
  value: withMeta(z.string(), { description: 'In canonical form (see "Observables and correlation").' }),
  platform: withMeta(z.optional(z.string()), { description: 'A user account\'s platform, lowercased.' }),
  note: z.optional(z.string()),
}), { id: 'ObservableAnswer' }));

const IsoTime = /* @__PURE__ */ built(() => withMeta(z.string(), { format: 'date-time', example: '2026-11-25T14:03:07.123Z' }));


const Actor = /* @__PURE__ */ built(() => z.object({
  orgId: z.string(), by: z.nullable(z.string()), via: z.enum(VIAS),
  keyId: withMeta(z.optional(z.string()), { description: 'The API key that made the request (absent for SMS and email acknowledgements and the service\'s own events).' }),
  personId: withMeta(z.optional(z.string()), { description: 'The person who signed in (`<issuer>#<sub>`); `by` is then their verified name.' }),
}));

export const AuditEntry = /* @__PURE__ */ built(() => withMeta(z.object({
  id: z.string(),
  at: IsoTime,
  actor: Actor,
  action: z.enum(AUDIT_ACTIONS),
  incidentId: z.optional(z.string()),
  tlp: z.optional(z.enum(TLPS)),
  requestId: z.string(),
  outcome: z.enum(['allowed', 'denied']),
  detail: withMeta(z.optional(z.string()), { description: 'Why it was denied.' }),
}), { id: 'AuditEntry' }));

export const AuditPage = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(AuditEntry), nextCursor: z.nullable(z.string()) }), { id: 'AuditPage' }));

export const RestrictedSummary = /* @__PURE__ */ built(() => withMeta(z.object({
  kind: z.literal('restricted-summary'),
  orgId: withMeta(z.string(), { description: 'The acting organization.' }),
  day: withMeta(z.string(), { description: 'The UTC day (yyyy-mm-dd), once it has ended.', example: '2026-11-25' }),
  count: withMeta(z.number().check(z.int()).check(z.gte(1)), { description: 'Requests of that organization\'s actors that day about RED or AMBER+STRICT incidents the admin\'s organization does not participate in (a page carrying several such incidents is one request).' }),
}), { id: 'RestrictedSummary' }));

export const AdminAuditPage = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(z.union([AuditEntry, RestrictedSummary])), nextCursor: z.nullable(z.string()) }), { id: 'AdminAuditPage' }));

export const Incident = /* @__PURE__ */ built(() => withMeta(z.object({
  id: withMeta(z.string(), { example: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF' }),
  title: z.string(),
  description: z.nullable(z.string()),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  tlp: z.enum(TLPS),
  status: z.enum(STATUSES),
  reporter: z.object({ orgId: z.string(), source: z.nullable(z.string()) }),
  participants: z.array(z.string()),
  acknowledgements: z.array(z.object({ orgId: z.string(), by: z.nullable(z.string()), via: z.enum(VIAS), at: IsoTime })),
  assignee: z.nullable(z.object({ orgId: z.string(), responder: z.nullable(z.string()) })),
  dedupKey: z.nullable(z.string()),
  links: z.array(Link),
  details: z.record(z.string(), z.unknown()),
  reportedAt: IsoTime,
  acknowledgedAt: z.nullable(IsoTime),
  assignedAt: z.nullable(IsoTime),
  resolvedAt: z.nullable(IsoTime),
  resolution: z.nullable(z.string()),
  related: withMeta(z.array(z.object({ incidentId: z.string(), relation: z.enum(RELATIONS) })), { description: 'Links made on this incident (at most 100), listing only the incidents the viewer may see.' }),
  lastUpdate: withMeta(z.nullable(z.object({ summary: z.string(), phase: z.nullable(z.enum(PHASES)), at: IsoTime, actor: Actor })), { description: 'The latest status update.' }),
  nextUpdateDueAt: withMeta(z.nullable(IsoTime), { description: 'When the next status update is due, as the latest update promised.' }),
  observables: withMeta(z.array(ObservableAnswer), { description: 'At most 200, in canonical form; matched across incidents by the correlation.' }),
  version: withMeta(z.number().check(z.int()), { description: 'Grows by one with every command that changes the incident; also its ETag ("<version>").' }),
}), { id: 'Incident' }));

export const TimelineEvent = /* @__PURE__ */ built(() => withMeta(z.object({
  seq: z.number().check(z.int()),
  type: z.enum(EVENT_TYPES),
  at: IsoTime,
  actor: Actor,
  data: z.record(z.string(), z.unknown()),
}), { id: 'TimelineEvent' }));

export const IncidentPage = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(Incident), nextCursor: z.nullable(z.string()) }), { id: 'IncidentPage' }));
export const Timeline = /* @__PURE__ */ built(() => withMeta(z.object({ events: z.array(TimelineEvent), nextCursor: z.nullable(z.string()) }), { id: 'Timeline' }));

export const Organization = /* @__PURE__ */ built(() => withMeta(z.object({
  id: z.string(), name: z.string(), kind: z.enum(['agency', 'company']),
  contacts: z.array(z.object({ id: z.string(), name: z.string(), email: z.nullable(z.string()), phone: z.nullable(z.string()), red: z.optional(z.boolean()), timeZone: z.optional(z.string()) })),
  createdAt: IsoTime, updatedAt: IsoTime,
}), { id: 'Organization' }));
export const OrganizationList = /* @__PURE__ */ built(() => z.object({ items: z.array(Organization) }));
export const DirectoryEntry = /* @__PURE__ */ built(() => withMeta(z.object({ id: z.string(), name: z.string(), kind: z.enum(['agency', 'company']) }), { id: 'DirectoryEntry' }));
export const DirectoryList = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(DirectoryEntry) }), { id: 'DirectoryList' }));
export const KeySummary = /* @__PURE__ */ built(() => withMeta(z.object({
  keyId: z.string(), role: z.enum(ROLES), createdAt: IsoTime, lastUsedAt: z.nullable(IsoTime), revokedAt: z.nullable(IsoTime),
  defaults: z.optional(z.object({ participants: z.optional(z.array(z.string())), tlp: z.optional(z.enum(TLPS)) })),
}), { id: 'KeySummary' }));
export const KeyList = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(KeySummary) }), { id: 'KeyList' }));
export const CreatedKey = /* @__PURE__ */ built(() => withMeta(z.object({ keyId: z.string(), key: withMeta(z.string(), { description: 'Shown only this once.' }) }), { id: 'CreatedKey' }));
export const Health = /* @__PURE__ */ built(() => z.object({ status: z.literal('ok') }));

export const Problem = /* @__PURE__ */ built(() => withMeta(z.object({
  type: z.string(), title: z.string(), status: z.number().check(z.int()), detail: z.string(),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  currentStatus: withMeta(z.optional(z.enum(STATUSES)), { description: 'On 409: the status the incident is in.' }),
}), { id: 'Problem' }));


export const PagerDutyAccepted = /* @__PURE__ */ built(() => withMeta(z.object({ status: z.literal('success'), message: z.literal('Event processed'), dedup_key: z.string() }), { id: 'PagerDutyAccepted' }));
export const PagerDutyRejected = /* @__PURE__ */ built(() => withMeta(z.object({ status: z.string(), message: z.string(), errors: z.optional(z.array(z.string())) }), { id: 'PagerDutyRejected' }));
export const ReplayResult = /* @__PURE__ */ built(() => withMeta(z.object({ replayed: z.number().check(z.int()), failed: z.number().check(z.int()) }), { id: 'ReplayResult' }));

const Durations = /* @__PURE__ */ built(() => withMeta(z.object({
  count: z.number().check(z.int()), meanSeconds: z.nullable(z.number()), p50Seconds: z.nullable(z.number()),
  p90Seconds: z.nullable(z.number()), p99Seconds: z.nullable(z.number()), maxSeconds: z.nullable(z.number()),
}), { id: 'Durations', description: 'Counts, means and max are exact; percentiles are within 1 % relative error. Null when count is 0.' }));
const Figures = {
  incidents: z.object({ reported: z.number().check(z.int()), acknowledged: z.number().check(z.int()), resolved: z.number().check(z.int()), open: z.number().check(z.int()) }),
  timeToAcknowledge: Durations,
  timeToResolve: Durations,
};
export const MetricsAnswer = /* @__PURE__ */ built(() => withMeta(z.object({
  from: z.string(), to: z.string(), ...Figures,
  groups: z.array(z.object({ key: z.string(), ...Figures })),
}), { id: 'Metrics' }));

export const IncidentSummary = /* @__PURE__ */ built(() => withMeta(z.object({
  id: z.string(), title: z.string(), tlp: z.enum(TLPS), severity: z.enum(SEVERITIES), status: z.enum(STATUSES), reportedAt: IsoTime, participants: z.array(z.string()),
}), { id: 'IncidentSummary' }));

const ObservableRefAnswer = /* @__PURE__ */ built(() => withMeta(z.object({ type: z.enum(OBSERVABLE_TYPES), value: z.string(), platform: z.optional(z.string()) }), { id: 'ObservableRef' }));

export const RelatedPage = /* @__PURE__ */ built(() => withMeta(z.object({
  items: z.array(z.object({ incident: IncidentSummary, shared: z.array(ObservableRefAnswer), relation: z.optional(z.enum(RELATIONS)) })),
  nextCursor: z.nullable(z.string()),
}), { id: 'RelatedPage' }));

export const LookupPage = /* @__PURE__ */ built(() => withMeta(z.object({
  observable: withMeta(ObservableRefAnswer, { description: 'The observable looked up, in canonical form.' }),
  items: z.array(IncidentSummary),
  nextCursor: z.nullable(z.string()),
}), { id: 'LookupPage' }));

// ---- The answers' schemas are the domain's types: checked when the code compiles ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAs = <A, B>(proof: Same<A, B>) => proof;
sameAs<z.output<typeof Incident>, DomainIncident>(true);
sameAs<z.output<typeof TimelineEvent>, DomainTimelineEvent>(true);

export const ChatConnections = /* @__PURE__ */ built(() => withMeta(z.object({
  channels: z.array(z.union([
    z.object({ kind: z.literal('slack'), channel: z.string(), team: z.string() }),
    z.object({ kind: z.literal('teams'), webhookUrl: withMeta(z.string(), { description: 'Without its query: the signature stays with whoever set it.' }) }),
  ])),
}), { id: 'ChatConnectionsAnswer' }));

export const SlackAnswer = /* @__PURE__ */ built(() => withMeta(z.object({ response_type: z.literal('ephemeral'), text: z.string() }), { id: 'SlackAnswer' }));

// ---- on call ----
const ScheduleShape = { id: z.string(), orgId: z.string(), name: z.string(), timeZone: z.string(), layers: z.array(z.record(z.string(), z.unknown())), overrides: z.array(z.object({ contact: z.string(), from: IsoTime, to: IsoTime })) };
export const Schedule = /* @__PURE__ */ built(() => withMeta(z.object({
  ...ScheduleShape,
  calendarUrl: withMeta(z.string(), { description: 'The calendar feed, with its signed token: for the organization\'s people to subscribe from their calendar app. A new token (POST …/feed-token) revokes it.' }),
  createdAt: IsoTime, updatedAt: IsoTime,
}), { id: 'Schedule' }));
export const ScheduleList = /* @__PURE__ */ built(() => z.object({ items: z.array(Schedule) }));
export const ShiftList = /* @__PURE__ */ built(() => withMeta(z.object({ items: z.array(z.object({ contact: z.string(), from: IsoTime, to: IsoTime })) }), { id: 'Shifts' }));
export const OnCall = /* @__PURE__ */ built(() => withMeta(z.object({ at: IsoTime, contacts: z.array(z.string()), until: z.nullable(IsoTime) }), { id: 'OnCall' }));
export const EscalationPolicy = /* @__PURE__ */ built(() => withMeta(z.object({
  orgId: z.string(),
  levels: z.array(z.object({ afterMinutes: z.number().check(z.int()), targets: z.array(z.union([z.object({ schedule: z.string() }), z.object({ contact: z.string() })])) })),
  repeat: z.number().check(z.int()), updatedAt: IsoTime,
}), { id: 'EscalationPolicy' }));
