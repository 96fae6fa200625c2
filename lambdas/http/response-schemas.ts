/**
 * Response schemas: documented in the OpenAPI document, never validated at run time, so kept out of
 * the functions' bundles.
 */
import * as z from 'zod';
import { CATEGORIES, EVENT_TYPES, PHASES, RELATIONS, SEVERITIES, STATUSES, type Incident as DomainIncident, type TimelineEvent as DomainTimelineEvent } from '../domain/incident';
import { TLPS } from '../domain/tlp';
import { ROLES, VIAS } from '../domain/actor';
import { AUDIT_ACTIONS } from '../domain/audit-entry';
import { Link } from './schemas';
import { OBSERVABLE_TYPES } from '../domain/observables';

/** An observable as answered: in canonical form. */
export const ObservableAnswer = /* @__PURE__ */ (() => z.object({
  type: z.enum(OBSERVABLE_TYPES),
  value: z.string().meta({ description: 'In canonical form (see "Observables and correlation").' }),
  platform: z.string().optional().meta({ description: 'A user account\'s platform, lowercased.' }),
  note: z.string().optional(),
}).meta({ id: 'ObservableAnswer' }))();

const IsoTime = /* @__PURE__ */ (() => z.string().meta({ format: 'date-time', example: '2026-11-25T14:03:07.123Z' }))();


const Actor = /* @__PURE__ */ (() => z.object({
  orgId: z.string(), by: z.string().nullable(), via: z.enum(VIAS),
  keyId: z.string().optional().meta({ description: 'The API key that made the request (absent for SMS and email acknowledgements and the service\'s own events).' }),
  personId: z.string().optional().meta({ description: 'The person who signed in (`<issuer>#<sub>`); `by` is then their verified name.' }),
}))();

export const AuditEntry = /* @__PURE__ */ (() => z.object({
  id: z.string(),
  at: IsoTime,
  actor: Actor,
  action: z.enum(AUDIT_ACTIONS),
  incidentId: z.string().optional(),
  tlp: z.enum(TLPS).optional(),
  requestId: z.string(),
  outcome: z.enum(['allowed', 'denied']),
  detail: z.string().optional().meta({ description: 'Why it was denied.' }),
}).meta({ id: 'AuditEntry' }))();

export const AuditPage = /* @__PURE__ */ (() => z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() }).meta({ id: 'AuditPage' }))();

export const RestrictedSummary = /* @__PURE__ */ (() => z.object({
  kind: z.literal('restricted-summary'),
  orgId: z.string().meta({ description: 'The acting organization.' }),
  day: z.string().meta({ description: 'The UTC day (yyyy-mm-dd), once it has ended.', example: '2026-11-25' }),
  count: z.number().int().min(1).meta({ description: 'Requests of that organization\'s actors that day about RED or AMBER+STRICT incidents the admin\'s organization does not participate in (a page carrying several such incidents is one request).' }),
}).meta({ id: 'RestrictedSummary' }))();

export const AdminAuditPage = /* @__PURE__ */ (() => z.object({ items: z.array(z.union([AuditEntry, RestrictedSummary])), nextCursor: z.string().nullable() }).meta({ id: 'AdminAuditPage' }))();

export const Incident = /* @__PURE__ */ (() => z.object({
  id: z.string().meta({ example: 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF' }),
  title: z.string(),
  description: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  tlp: z.enum(TLPS),
  status: z.enum(STATUSES),
  reporter: z.object({ orgId: z.string(), source: z.string().nullable() }),
  participants: z.array(z.string()),
  acknowledgements: z.array(z.object({ orgId: z.string(), by: z.string().nullable(), via: z.enum(VIAS), at: IsoTime })),
  assignee: z.object({ orgId: z.string(), responder: z.string().nullable() }).nullable(),
  dedupKey: z.string().nullable(),
  links: z.array(Link),
  details: z.record(z.string(), z.unknown()),
  reportedAt: IsoTime,
  acknowledgedAt: IsoTime.nullable(),
  assignedAt: IsoTime.nullable(),
  resolvedAt: IsoTime.nullable(),
  resolution: z.string().nullable(),
  related: z.array(z.object({ incidentId: z.string(), relation: z.enum(RELATIONS) }))
    .meta({ description: 'Links made on this incident (at most 100), listing only the incidents the viewer may see.' }),
  lastUpdate: z.object({ summary: z.string(), phase: z.enum(PHASES).nullable(), at: IsoTime, actor: Actor }).nullable()
    .meta({ description: 'The latest status update.' }),
  nextUpdateDueAt: IsoTime.nullable().meta({ description: 'When the next status update is due, as the latest update promised.' }),
  observables: z.array(ObservableAnswer).meta({ description: 'At most 200, in canonical form; matched across incidents by the correlation.' }),
  version: z.number().int().meta({ description: 'Grows by one with every command that changes the incident; also its ETag ("<version>").' }),
}).meta({ id: 'Incident' }))();

export const TimelineEvent = /* @__PURE__ */ (() => z.object({
  seq: z.number().int(),
  type: z.enum(EVENT_TYPES),
  at: IsoTime,
  actor: Actor,
  data: z.record(z.string(), z.unknown()),
}).meta({ id: 'TimelineEvent' }))();

export const IncidentPage = /* @__PURE__ */ (() => z.object({ items: z.array(Incident), nextCursor: z.string().nullable() }).meta({ id: 'IncidentPage' }))();
export const Timeline = /* @__PURE__ */ (() => z.object({ events: z.array(TimelineEvent), nextCursor: z.string().nullable() }).meta({ id: 'Timeline' }))();

export const Organization = /* @__PURE__ */ (() => z.object({
  id: z.string(), name: z.string(), kind: z.enum(['agency', 'company']),
  contacts: z.array(z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), red: z.boolean().optional(), timeZone: z.string().optional() })),
  createdAt: IsoTime, updatedAt: IsoTime,
}).meta({ id: 'Organization' }))();
export const OrganizationList = /* @__PURE__ */ (() => z.object({ items: z.array(Organization) }))();
export const DirectoryEntry = /* @__PURE__ */ (() => z.object({ id: z.string(), name: z.string(), kind: z.enum(['agency', 'company']) }).meta({ id: 'DirectoryEntry' }))();
export const DirectoryList = /* @__PURE__ */ (() => z.object({ items: z.array(DirectoryEntry) }).meta({ id: 'DirectoryList' }))();
export const KeySummary = /* @__PURE__ */ (() => z.object({
  keyId: z.string(), role: z.enum(ROLES), createdAt: IsoTime, lastUsedAt: IsoTime.nullable(), revokedAt: IsoTime.nullable(),
  defaults: z.object({ participants: z.array(z.string()).optional(), tlp: z.enum(TLPS).optional() }).optional(),
}).meta({ id: 'KeySummary' }))();
export const KeyList = /* @__PURE__ */ (() => z.object({ items: z.array(KeySummary) }).meta({ id: 'KeyList' }))();
export const CreatedKey = /* @__PURE__ */ (() => z.object({ keyId: z.string(), key: z.string().meta({ description: 'Shown only this once.' }) }).meta({ id: 'CreatedKey' }))();
export const Health = /* @__PURE__ */ (() => z.object({ status: z.literal('ok') }))();

export const Problem = /* @__PURE__ */ (() => z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  currentStatus: z.enum(STATUSES).optional().meta({ description: 'On 409: the status the incident is in.' }),
}).meta({ id: 'Problem' }))();


export const PagerDutyAccepted = /* @__PURE__ */ (() => z.object({ status: z.literal('success'), message: z.literal('Event processed'), dedup_key: z.string() }).meta({ id: 'PagerDutyAccepted' }))();
export const PagerDutyRejected = /* @__PURE__ */ (() => z.object({ status: z.string(), message: z.string(), errors: z.array(z.string()).optional() }).meta({ id: 'PagerDutyRejected' }))();
export const ReplayResult = /* @__PURE__ */ (() => z.object({ replayed: z.number().int(), failed: z.number().int() }).meta({ id: 'ReplayResult' }))();

const Durations = /* @__PURE__ */ (() => z.object({
  count: z.number().int(), meanSeconds: z.number().nullable(), p50Seconds: z.number().nullable(),
  p90Seconds: z.number().nullable(), p99Seconds: z.number().nullable(), maxSeconds: z.number().nullable(),
}).meta({ id: 'Durations', description: 'Counts, means and max are exact; percentiles are within 1 % relative error. Null when count is 0.' }))();
const Figures = {
  incidents: z.object({ reported: z.number().int(), acknowledged: z.number().int(), resolved: z.number().int(), open: z.number().int() }),
  timeToAcknowledge: Durations,
  timeToResolve: Durations,
};
export const MetricsAnswer = /* @__PURE__ */ (() => z.object({
  from: z.string(), to: z.string(), ...Figures,
  groups: z.array(z.object({ key: z.string(), ...Figures })),
}).meta({ id: 'Metrics' }))();

export const IncidentSummary = /* @__PURE__ */ (() => z.object({
  id: z.string(), title: z.string(), tlp: z.enum(TLPS), severity: z.enum(SEVERITIES), status: z.enum(STATUSES), reportedAt: IsoTime, participants: z.array(z.string()),
}).meta({ id: 'IncidentSummary' }))();

const ObservableRefAnswer = /* @__PURE__ */ (() => z.object({ type: z.enum(OBSERVABLE_TYPES), value: z.string(), platform: z.string().optional() }).meta({ id: 'ObservableRef' }))();

export const RelatedPage = /* @__PURE__ */ (() => z.object({
  items: z.array(z.object({ incident: IncidentSummary, shared: z.array(ObservableRefAnswer), relation: z.enum(RELATIONS).optional() })),
  nextCursor: z.string().nullable(),
}).meta({ id: 'RelatedPage' }))();

export const LookupPage = /* @__PURE__ */ (() => z.object({
  observable: ObservableRefAnswer.meta({ description: 'The observable looked up, in canonical form.' }),
  items: z.array(IncidentSummary),
  nextCursor: z.string().nullable(),
}).meta({ id: 'LookupPage' }))();

// ---- The answers' schemas are the domain's types: checked when the code compiles ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAs = <A, B>(proof: Same<A, B>) => proof;
sameAs<z.output<typeof Incident>, DomainIncident>(true);
sameAs<z.output<typeof TimelineEvent>, DomainTimelineEvent>(true);

// ---- on call ----
const ScheduleShape = { id: z.string(), orgId: z.string(), name: z.string(), timeZone: z.string(), layers: z.array(z.record(z.string(), z.unknown())), overrides: z.array(z.object({ contact: z.string(), from: IsoTime, to: IsoTime })) };
export const Schedule = /* @__PURE__ */ (() => z.object({
  ...ScheduleShape,
  calendarUrl: z.string().meta({ description: 'The calendar feed, with its signed token: for the organization\'s people to subscribe from their calendar app. A new token (POST …/feed-token) revokes it.' }),
  createdAt: IsoTime, updatedAt: IsoTime,
}).meta({ id: 'Schedule' }))();
export const ScheduleList = /* @__PURE__ */ (() => z.object({ items: z.array(Schedule) }))();
export const ShiftList = /* @__PURE__ */ (() => z.object({ items: z.array(z.object({ contact: z.string(), from: IsoTime, to: IsoTime })) }).meta({ id: 'Shifts' }))();
export const OnCall = /* @__PURE__ */ (() => z.object({ at: IsoTime, contacts: z.array(z.string()), until: IsoTime.nullable() }).meta({ id: 'OnCall' }))();
export const EscalationPolicy = /* @__PURE__ */ (() => z.object({
  orgId: z.string(),
  levels: z.array(z.object({ afterMinutes: z.number().int(), targets: z.array(z.union([z.object({ schedule: z.string() }), z.object({ contact: z.string() })])) })),
  repeat: z.number().int(), updatedAt: IsoTime,
}).meta({ id: 'EscalationPolicy' }))();
