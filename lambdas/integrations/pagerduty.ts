/**
 * PagerDuty Events API v2 compatibility: alerting tools that page through PagerDuty report into
 * Concord by pointing their URL at `/v2/enqueue`. Pure mapping plus one use case.
 *
 * Semantics follow PagerDuty: a trigger with the dedup key of an open incident changes nothing;
 * after resolve the same key opens a new incident; acknowledge or resolve of an unknown or resolved
 * key is accepted and ignored.
 */
import { randomBytes } from 'node:crypto';
import * as z from '../http/zod-mini';
import { built, withMeta } from '../http/zod-mini';
import { Link, line, noBidiControls, text } from '../http/schemas';
import { stripBidi } from '../shared/bidi';
import { JsonNumber, setMember, stringifyJson } from '../shared/json';
import { ConflictError, RateLimitedError, ValidationError } from '../domain/errors';
import { CATEGORIES, MAX_DETAILS_BYTES, type Category, type ReportInput, type Severity } from '../domain/incident';
import { type Caller } from '../domain/actor';
import type { IncidentService } from '../domain/incident-service';
import type { IncidentRepository, KeyDefaults, RateLimiter } from '../domain/ports';

export const PD_SEVERITIES = { critical: 'critical', error: 'high', warning: 'medium', info: 'low' } as const satisfies Record<string, Severity>;
export type PdSeverity = keyof typeof PD_SEVERITIES;

/** The Events API v2 wire format: what `POST /v2/enqueue` accepts. */
const pdText = (max: number) => line(1, max);

// PagerDuty ignores fields it does not know (tools still send v1 leftovers such as `description`),
// so this route does too: drop-in compatibility outranks our strict-body convention here.
export const PagerDutyEvent = /* @__PURE__ */ built(() => withMeta(z.object({
  routing_key: pdText(512),
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: z.optional(pdText(255)),
  payload: z.optional(z.object({
    // Becomes the title (collapsed to one line) and the description: refused as a title would be.
    summary: noBidiControls(text(1, 1024)),
    source: pdText(255),
    severity: z.enum(Object.keys(PD_SEVERITIES) as [keyof typeof PD_SEVERITIES, ...Array<keyof typeof PD_SEVERITIES>]),
    // PagerDuty's own examples write offsets as +0000, which strict ISO-8601 parsers refuse.
    timestamp: z.optional(z.string().check(z.maxLength(64)).check(z.refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO-8601 date and time'))),
    component: z.optional(pdText(255)),
    group: z.optional(pdText(255)),
    class: z.optional(pdText(255)),
    custom_details: z.optional(z.unknown()),
  })),
  links: z.optional(z.array(Link).check(z.maxLength(20))),
  images: z.optional(z.array(z.strictObject({
    src: noBidiControls(z.url().check(z.maxLength(2048))),
    href: z.optional(noBidiControls(z.url().check(z.maxLength(2048)))),
    alt: z.optional(noBidiControls(z.string().check(z.maxLength(255)))),
  })).check(z.maxLength(20))),
  // Becomes the acknowledging `by` (at most 200 characters).
  client: z.optional(pdText(200)),
  client_url: z.optional(noBidiControls(z.url().check(z.maxLength(2048)))),
}).check(z.superRefine((event, ctx) => {
  if (event.event_action === 'trigger' && !event.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for trigger' });
  if (event.event_action !== 'trigger' && !event.dedup_key) ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required for ${event.event_action}` });
})), { id: 'PagerDutyEvent', description: 'A PagerDuty Events API v2 event. routing_key is a partner API key of the reporting organization.' }));

/** An Events API v2 event, as its schema accepts it. */
export type PdEvent = z.output<typeof PagerDutyEvent>;

export const TITLE_MAX = 200;

/**
 * Cuts at a word boundary where there is one near the end, and marks the cut with an ellipsis.
 * A title is one line: bidirectional controls, which a CloudWatch alarm's name may carry, are left out.
 */
export function shortTitle(summary: string, max = TITLE_MAX): string {
  const clean = stripBidi(summary).replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  // Cut before `max - 1` UTF-16 units, but never between the halves of a surrogate pair.
  const cut = /[\uD800-\uDBFF]/.test(clean[max - 2] ?? '') ? max - 2 : max - 1;
  const room = clean.slice(0, cut);
  const space = room.lastIndexOf(' ');
  return `${(space > max * 0.6 ? room.slice(0, space) : room).trimEnd()}…`;
}

const isCategory = (c: string | undefined): c is Category => (CATEGORIES as readonly string[]).includes(c ?? '');

/** PagerDuty's trigger as a Concord report. */
export function reportFromTrigger(event: PdEvent & { payload: NonNullable<PdEvent['payload']> }, dedupKey: string, defaults: KeyDefaults): ReportInput {
  const { payload } = event;
  const custom = payload.custom_details;
  // An object is kept as it came (order, numbers' digits); anything else is wrapped.
  const isObject = custom !== null && typeof custom === 'object' && !Array.isArray(custom) && !(custom instanceof JsonNumber);
  const details: Record<string, unknown> = custom === undefined ? {} : isObject ? custom as Record<string, unknown> : { custom_details: custom };
  const title = shortTitle(payload.summary);
  const pagerduty = Object.fromEntries(Object.entries({
    summary: title === payload.summary ? undefined : payload.summary,
    timestamp: payload.timestamp, component: payload.component, group: payload.group, class: payload.class,
    client: event.client, client_url: event.client_url, images: event.images,
  }).filter(([, v]) => v !== undefined));
  // PagerDuty's own fields go under `pagerduty`, or `concord_pagerduty` where the sender used that key itself.
  if (Object.keys(pagerduty).length) setMember(details, Object.prototype.hasOwnProperty.call(details, 'pagerduty') ? 'concord_pagerduty' : 'pagerduty', pagerduty);
  if (Buffer.byteLength(stringifyJson(details), 'utf8') > MAX_DETAILS_BYTES) {
    throw new ValidationError('The event is too large.', [{ path: 'payload.custom_details', message: `must be at most ${MAX_DETAILS_BYTES} bytes as JSON, with the event's other details` }]);
  }
  return {
    title,
    description: payload.summary,
    severity: PD_SEVERITIES[payload.severity],
    category: isCategory(payload.class) ? payload.class : 'other',
    tlp: defaults.tlp,
    participants: defaults.participants,
    dedupKey,
    source: payload.source.slice(0, 200),
    links: event.links,
    details,
  };
}

export interface EventsDeps {
  incidents: IncidentService;
  repository: Pick<IncidentRepository, 'findOpenByDedupKey'>;
  limiter: RateLimiter;
  /** Events a minute one routing key may send. */
  eventsPerMinute: number;
}

export function makeEventsApi({ incidents, repository, limiter, eventsPerMinute }: EventsDeps) {
  return {
    /** Applies one event for the routing key's organization; returns the dedup key. */
    async enqueue(caller: Caller, defaults: KeyDefaults, event: PdEvent): Promise<string> {
      const verdict = await limiter.consume(`events#${caller.keyId}`, eventsPerMinute, 60);
      if (!verdict.allowed) {
        throw new RateLimitedError(`This routing key sent more than ${eventsPerMinute} events this minute.`, verdict.retryAfterSeconds);
      }
      if (event.event_action === 'trigger') {
        const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
        await incidents.report(caller, reportFromTrigger(event as Parameters<typeof reportFromTrigger>[0], dedupKey, defaults));
        return dedupKey;
      }
      const dedupKey = event.dedup_key!;
      const open = await repository.findOpenByDedupKey(caller.orgId, dedupKey);
      if (!open) return dedupKey;
      const by = event.client ?? null;
      try {
        if (event.event_action === 'acknowledge') await incidents.acknowledge(caller, open.incident.id, { by });
        else await incidents.resolve(caller, open.incident.id, `Resolved through the Events API${by ? ` by ${by}` : ''}.`);
      } catch (err) {
        // Resolved meanwhile: PagerDuty ignores such events, and so do we.
        if (!(err instanceof ConflictError)) throw err;
      }
      return dedupKey;
    },
  };
}

export type EventsApi = ReturnType<typeof makeEventsApi>;
