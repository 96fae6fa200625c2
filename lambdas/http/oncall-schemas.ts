/** The on-call requests (schedules, shifts, the calendar feed, escalation policies): shapes here, rules that need the directory in domain/oncall. */
import * as z from 'zod';
import { DAYS, MAX_WINDOW_DAYS } from '../domain/oncall/schedule';
import { CONTACT_ID_PATTERN } from '../domain/contact-ids';
import { OrgId, TimeZone, line } from './schemas';

const ID_MESSAGE = 'lowercase letters, digits and "-", 2–40 characters';
export const ScheduleId = /* @__PURE__ */ (() => z.string().regex(/^[a-z0-9-]{2,40}$/, ID_MESSAGE).meta({ example: 'fbi-duty' }))();
const ContactId = /* @__PURE__ */ (() => z.string().regex(CONTACT_ID_PATTERN, ID_MESSAGE).meta({ description: 'A contact id of the organization.' }))();

export const OrgScheduleParams = /* @__PURE__ */ (() => z.strictObject({ id: OrgId, scheduleId: ScheduleId }))();

const Instant = /* @__PURE__ */ (() => z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString())
  .meta({ description: 'An ISO-8601 instant, such as 2026-11-25T14:00:00Z.' }))();

const TimeOfDay = /* @__PURE__ */ (() => z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'must be a time of day HH:MM (24:00 for the end of the day)'))();

export const Restriction = /* @__PURE__ */ (() => z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).max(7).refine((d) => new Set(d).size === d.length, 'lists a day twice'),
  from: TimeOfDay,
  to: TimeOfDay,
}).meta({ id: 'Restriction', description: 'The layer has someone on these weekdays from `from` to `to` (wall clock of the schedule\'s zone; `to` after `from`).' }))();

export const Layer = /* @__PURE__ */ (() => z.strictObject({
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a local date and time YYYY-MM-DDTHH:MM, without offset')
    .meta({ description: 'Wall-clock time in the schedule\'s zone of the first handoff.', example: '2026-10-26T09:00' }),
  rotation: z.union([z.enum(['daily', 'weekly']), z.strictObject({ hours: z.number().int().min(1).max(744) })])
    .meta({ description: '`daily`/`weekly`: hand off at the start\'s wall time; `{"hours": N}`: every N elapsed hours.' }),
  members: z.array(ContactId).min(1).max(50),
  restrictions: z.array(Restriction).max(14).optional(),
}).meta({ id: 'Layer' }))();

export const Override = /* @__PURE__ */ (() => z.strictObject({ contact: ContactId, from: Instant, to: Instant }).meta({ id: 'Override' }))();

export const ScheduleBody = /* @__PURE__ */ (() => z.strictObject({
  name: line(1, 200),
  timeZone: TimeZone,
  layers: z.array(Layer).min(1).max(10).meta({ description: 'A later layer wins where it has someone.' }),
  overrides: z.array(Override).max(200).optional().meta({ description: 'Win over every layer (the one listed last where they overlap).' }),
}).meta({ id: 'ScheduleInput' }))();

export const OverrideBody = /* @__PURE__ */ (() => z.strictObject({
  from: Instant,
  to: Instant.meta({ description: `After from and after now, at most ${MAX_WINDOW_DAYS} days after from.` }),
  contact: ContactId.optional().meta({ description: 'The organization\'s admin only: who takes the shift. A person leaves it out (or names their own contact).' }),
}).meta({ id: 'OverrideInput' }))();

export const ShiftsQuery = /* @__PURE__ */ (() => z.strictObject({
  from: Instant,
  to: Instant.meta({ description: `At most ${MAX_WINDOW_DAYS} days after from.` }),
}))();

export const OnCallQuery = /* @__PURE__ */ (() => z.strictObject({ at: Instant.optional().meta({ description: 'Default: now.' }) }))();

export const CalendarQuery = /* @__PURE__ */ (() => z.strictObject({ token: z.string().min(1).max(200) }))();

const Target = /* @__PURE__ */ (() => z.union([z.strictObject({ schedule: ScheduleId }), z.strictObject({ contact: ContactId })]).meta({ id: 'EscalationTarget' }))();

export const EscalationBody = /* @__PURE__ */ (() => z.strictObject({
  levels: z.array(z.strictObject({
    afterMinutes: z.number().int().min(0).max(1440).meta({ description: 'Minutes after the previous level (level 1: 0, paged when the organization is notified).' }),
    targets: z.array(Target).min(1).max(20),
  })).min(1).max(10),
  repeat: z.number().int().min(0).max(3).optional(),
}).superRefine((p, ctx) => {
  p.levels.forEach((l, i) => {
    if (i === 0 && l.afterMinutes !== 0) ctx.addIssue({ code: 'custom', path: ['levels', 0, 'afterMinutes'], message: 'level 1 is paged when the organization is notified: 0' });
    if (i > 0 && l.afterMinutes === 0) ctx.addIssue({ code: 'custom', path: ['levels', i, 'afterMinutes'], message: 'must be 1–1440 minutes after the previous level' });
  });
}).meta({ id: 'EscalationPolicyInput' }))();
