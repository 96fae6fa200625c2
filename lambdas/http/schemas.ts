/**
 * The request and response schemas: the single source for validation, types and the OpenAPI
 * document. Bodies are strict objects, so an unknown field is a 400, never silently ignored.
 */
import * as z from 'zod';
import { CATEGORIES, MAX_DETAILS_BYTES, ROLES, SEVERITIES, STATUSES, TLPS } from '../domain/incident';
import { PD_SEVERITIES } from '../domain/events-api';

export const ORG_ID_PATTERN = /^[a-z0-9-]{2,40}$/;
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;
export const MAX_PARTICIPANTS = 50;

/** Text a person wrote: a length range and at least one visible character. */
const text = (min: number, max: number) =>
  z.string().max(max)
    .refine((s) => s.trim().length >= min, min === 1 ? 'must not be empty or blank' : `must have at least ${min} visible characters`)
    .meta({ minLength: min });

export const OrgId = z.string().regex(ORG_ID_PATTERN, 'lowercase letters, digits and "-", 2–40 characters')
  .meta({ id: 'OrgId', example: 'cisa' });

export const Link = z.strictObject({
  href: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
  text: z.string().max(200).optional(),
}).meta({ id: 'Link' });

const Details = z.record(z.string(), z.unknown())
  .refine((d) => Buffer.byteLength(JSON.stringify(d), 'utf8') <= MAX_DETAILS_BYTES, `must be at most ${MAX_DETAILS_BYTES} bytes as JSON`)
  .meta({ description: 'Any JSON object, at most 16 KiB.' });

export const ReportIncidentBody = z.strictObject({
  title: text(1, 200),
  description: z.string().max(10000).optional(),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  tlp: z.enum(TLPS).optional().meta({ description: 'Traffic Light Protocol 2.0 label. Default AMBER.' }),
  participants: z.array(OrgId).max(MAX_PARTICIPANTS).optional()
    .meta({ description: 'Organizations to involve; the reporter always participates.' }),
  dedupKey: z.string().min(1).max(255).optional()
    .meta({ description: 'While an incident with this key from your organization is unresolved, reporting it again returns that incident (200).' }),
  source: z.string().min(1).max(200).optional(),
  links: z.array(Link).max(20).optional(),
  details: Details.optional(),
}).meta({ id: 'ReportIncident' });

export const AcknowledgeBody = z.strictObject({
  by: text(1, 200).optional().meta({ description: 'The responder acknowledging.' }),
  note: text(1, 5000).optional(),
}).meta({ id: 'Acknowledge' });

export const AssignBody = z.strictObject({
  orgId: OrgId,
  responder: text(1, 200).optional(),
  note: text(1, 5000).optional(),
}).meta({ id: 'Assign' });

export const ResolveBody = z.strictObject({ resolution: text(1, 5000) }).meta({ id: 'Resolve' });

export const NoteBody = z.strictObject({ text: text(1, 5000) }).meta({ id: 'Note' });

export const ListIncidentsQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  participant: OrgId.optional(),
  limit: z.coerce.number<string>().int().min(1).max(100).default(25),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
});

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number<string>().int().min(1).max(100).default(100),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
});

export const Contact = z.strictObject({
  name: text(1, 200),
  email: z.email().max(254).optional().nullable(),
  phone: z.string().regex(E164_PATTERN, 'must be an E.164 phone number such as +12025550101').optional().nullable(),
}).meta({ id: 'Contact' });

export const OrganizationBody = z.strictObject({
  name: text(1, 200),
  kind: z.enum(['agency', 'company']),
  contacts: z.array(Contact).max(100).default([]).meta({ description: 'Who is notified; may be empty.' }),
}).meta({ id: 'OrganizationInput' });

export const KeyDefaults = z.strictObject({
  participants: z.array(OrgId).max(MAX_PARTICIPANTS).optional(),
  tlp: z.enum(TLPS).optional(),
}).meta({ id: 'KeyDefaults', description: 'For partner keys used as integration routing keys (PagerDuty Events API, CloudWatch): the participants and TLP their events are reported with.' });

export const CreateKeyBody = z.strictObject({ role: z.enum(ROLES), defaults: KeyDefaults.optional() }).meta({ id: 'CreateKey' });

export const DirectoryFileSchema = z.strictObject({
  organizations: z.array(OrganizationBody.extend({
    id: OrgId,
    keys: z.array(z.strictObject({ role: z.enum(ROLES), key: z.string().min(24).max(512), defaults: KeyDefaults.optional() })).optional(),
  })),
});

// ---- PagerDuty Events API v2 ----

const pdText = (max: number) => z.string().min(1).max(max);

// PagerDuty ignores fields it does not know (tools still send v1 leftovers such as `description`),
// so this route does too: drop-in compatibility outranks our strict-body convention here.
export const PagerDutyEvent = z.object({
  routing_key: pdText(512),
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: pdText(255).optional(),
  payload: z.object({
    summary: pdText(1024),
    source: pdText(255),
    severity: z.enum(Object.keys(PD_SEVERITIES) as [keyof typeof PD_SEVERITIES, ...Array<keyof typeof PD_SEVERITIES>]),
    // PagerDuty's own examples write offsets as +0000, which strict ISO-8601 parsers refuse.
    timestamp: z.string().max(64).refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO-8601 date and time').optional(),
    component: pdText(255).optional(),
    group: pdText(255).optional(),
    class: pdText(255).optional(),
    custom_details: z.unknown().optional(),
  }).optional(),
  links: z.array(Link).max(20).optional(),
  images: z.array(z.strictObject({ src: z.url().max(2048), href: z.url().max(2048).optional(), alt: z.string().max(255).optional() })).max(20).optional(),
  client: pdText(255).optional(),
  client_url: z.url().max(2048).optional(),
}).superRefine((event, ctx) => {
  if (event.event_action === 'trigger' && !event.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for trigger' });
  if (event.event_action !== 'trigger' && !event.dedup_key) ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required for ${event.event_action}` });
}).meta({ id: 'PagerDutyEvent', description: 'A PagerDuty Events API v2 event. routing_key is a partner API key of the reporting organization.' });


// ---- Amazon SNS HTTPS delivery (CloudWatch alarms) ----

export const SnsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(128),
  TopicArn: z.string().startsWith('arn:').max(512),
  Message: z.string().max(262144),
  Timestamp: z.string().max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().max(2048),
  Subject: z.string().max(512).nullable().optional(),
  SubscribeURL: z.string().max(2048).optional(),
  Token: z.string().max(2048).optional(),
}).meta({ id: 'SnsMessage', description: 'A message as Amazon SNS posts it to an HTTPS subscription (content-type text/plain).' });

export const CloudWatchAlarmMessage = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).nullable().optional(),
  AWSAccountId: z.string().max(32).optional(),
  NewStateValue: z.string().max(32),
  NewStateReason: z.string().max(1023).optional(),
  StateChangeTime: z.string().max(64).optional(),
  Region: z.string().max(64).optional(),
  AlarmArn: z.string().startsWith('arn:').max(1024),
  OldStateValue: z.string().max(32).optional(),
  Trigger: z.unknown().optional(),
});

export const ReplayBody = z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }).meta({ id: 'Replay' });

