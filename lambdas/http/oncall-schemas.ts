/** The on-call requests (schedules, shifts, the calendar feed, escalation policies): shapes here, rules that need the directory in domain/oncall. */
import * as z from './zod-mini';
import { built, withMeta } from './zod-mini';
import { DAYS, MAX_WINDOW_DAYS } from '../domain/oncall/schedule';
import { CONTACT_ID_PATTERN } from '../domain/contact-ids';
import { OrgId, TimeZone, line } from './schemas';

const ID_MESSAGE = 'lowercase letters, digits and "-", 2–40 characters';
export const ScheduleId = /* @__PURE__ */ built(() => withMeta(z.string().check(z.regex(/^[a-z0-9-]{2,40}$/, ID_MESSAGE)), { example: 'fbi-duty' }));
const ContactId = /* @__PURE__ */ built(() => withMeta(z.string().check(z.regex(CONTACT_ID_PATTERN, ID_MESSAGE)), { description: 'A contact id of the organization.' }));

export const OrgScheduleParams = /* @__PURE__ */ built(() => z.strictObject({ id: OrgId, scheduleId: ScheduleId }));

const Instant = /* @__PURE__ */ built(() => withMeta(z.pipe(z.iso.datetime({ offset: true }), z.transform((t) => new Date(t).toISOString())), { description: 'An ISO-8601 instant, such as 2026-11-25T14:00:00Z.' }));

const TimeOfDay = /* @__PURE__ */ built(() => z.string().check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'must be a time of day HH:MM (24:00 for the end of the day)')));

export const Restriction = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  days: z.array(z.enum(DAYS)).check(z.minLength(1)).check(z.maxLength(7)).check(z.refine((d) => new Set(d).size === d.length, 'lists a day twice')),
  from: TimeOfDay,
  to: TimeOfDay,
}), { id: 'Restriction', description: 'The layer has someone on these weekdays from `from` to `to` (wall clock of the schedule\'s zone; `to` after `from`).' }));

export const Layer = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  start: withMeta(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a local date and time YYYY-MM-DDTHH:MM, without offset')), { description: 'Wall-clock time in the schedule\'s zone of the first handoff.', example: '2026-10-26T09:00' }),
  rotation: withMeta(z.union([z.enum(['daily', 'weekly']), z.strictObject({ hours: z.number().check(z.int()).check(z.gte(1)).check(z.lte(744)) })]), { description: '`daily`/`weekly`: hand off at the start\'s wall time; `{"hours": N}`: every N elapsed hours.' }),
  members: z.array(ContactId).check(z.minLength(1)).check(z.maxLength(50)),
  restrictions: z.optional(z.array(Restriction).check(z.maxLength(14))),
}), { id: 'Layer' }));

export const Override = /* @__PURE__ */ built(() => withMeta(z.strictObject({ contact: ContactId, from: Instant, to: Instant }), { id: 'Override' }));

export const ScheduleBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  name: line(1, 200),
  timeZone: TimeZone,
  layers: withMeta(z.array(Layer).check(z.minLength(1)).check(z.maxLength(10)), { description: 'A later layer wins where it has someone.' }),
  overrides: withMeta(z.optional(z.array(Override).check(z.maxLength(200))), { description: 'Win over every layer (the one listed last where they overlap).' }),
}), { id: 'ScheduleInput' }));

export const OverrideBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  from: Instant,
  to: withMeta(Instant, { description: `After from and after now, at most ${MAX_WINDOW_DAYS} days after from.` }),
  contact: withMeta(z.optional(ContactId), { description: 'The organization\'s admin only: who takes the shift. A person leaves it out (or names their own contact).' }),
}), { id: 'OverrideInput' }));

export const ShiftsQuery = /* @__PURE__ */ built(() => z.strictObject({
  from: Instant,
  to: withMeta(Instant, { description: `At most ${MAX_WINDOW_DAYS} days after from.` }),
}));

export const OnCallQuery = /* @__PURE__ */ built(() => z.strictObject({ at: withMeta(z.optional(Instant), { description: 'Default: now.' }) }));

export const CalendarQuery = /* @__PURE__ */ built(() => z.strictObject({ token: z.string().check(z.minLength(1)).check(z.maxLength(200)) }));

const Target = /* @__PURE__ */ built(() => withMeta(z.union([z.strictObject({ schedule: ScheduleId }), z.strictObject({ contact: ContactId })]), { id: 'EscalationTarget' }));

export const EscalationBody = /* @__PURE__ */ built(() => withMeta(z.strictObject({
  levels: z.array(z.strictObject({
    afterMinutes: withMeta(z.number().check(z.int()).check(z.gte(0)).check(z.lte(1440)), { description: 'Minutes after the previous level (level 1: 0, paged when the organization is notified).' }),
    targets: z.array(Target).check(z.minLength(1)).check(z.maxLength(20)),
  })).check(z.minLength(1)).check(z.maxLength(10)),
  repeat: z.optional(z.number().check(z.int()).check(z.gte(0)).check(z.lte(3))),
}).check(z.superRefine((p, ctx) => {
  p.levels.forEach((l, i) => {
    if (i === 0 && l.afterMinutes !== 0) ctx.addIssue({ code: 'custom', path: ['levels', 0, 'afterMinutes'], message: 'level 1 is paged when the organization is notified: 0' });
    if (i > 0 && l.afterMinutes === 0) ctx.addIssue({ code: 'custom', path: ['levels', i, 'afterMinutes'], message: 'must be 1–1440 minutes after the previous level' });
  });
})), { id: 'EscalationPolicyInput' }));
