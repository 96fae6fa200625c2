/**
 * The directory file (`CONCORD_DIRECTORY`, `npm run load-directory`): read by the local server and
 * the operator's scripts only, so kept out of the functions' bundles.
 */
import * as z from './zod-mini';
import { built } from './zod-mini';
import { ROLES } from '../domain/actor';
import { ChatBody, KeyDefaults, OrgId, OrganizationBody, defaultsOnPartnersOnly, line } from './schemas';
import { EscalationBody, ScheduleBody, ScheduleId } from './oncall-schemas';
import { contactIds, isTimeZone } from '../domain/contact-ids';
import { scheduleIssues } from '../domain/oncall/schedule';

/** What a Bearer header can carry: printable ASCII without spaces. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** A person of the local identity provider (`npm start` only). */
export const LocalPerson = /* @__PURE__ */ built(() => z.strictObject({
  // The sign-in form matches logins without case; the login becomes the token's `sub`.
  login: z.pipe(z.string().check(z.minLength(1)).check(z.maxLength(64)).check(z.regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces, 1–64 characters')), z.transform((l) => l.toLowerCase())),
  name: line(1, 200).check(z.trim()),
  orgId: OrgId,
  // Demo and test people of the local provider only: any password its author chooses.
  password: z.string().check(z.minLength(1)).check(z.maxLength(200)),
  roles: z.optional(z.array(z.enum(['manager', 'admin'])).check(z.maxLength(2))),
  // The token's verified `email`: it ties the person to their organization's contact of that address.
  email: z.optional(z.email().check(z.maxLength(254))),
}));

export const DirectoryFileSchema = /* @__PURE__ */ built(() => z.strictObject({
  organizations: z.array(z.extend(OrganizationBody, {
    id: OrgId,
    // Its Slack and Teams channels, as PUT /v1/organizations/{id}/chat takes them; absent keeps what the API set.
    chat: z.optional(ChatBody),
    keys: z.optional(z.array(z.strictObject({
      role: z.enum(ROLES),
      key: z.string().check(z.minLength(24)).check(z.maxLength(512)).check(z.regex(KEY_PATTERN, 'must be printable ASCII without spaces (it is sent as Authorization: Bearer <key>)')),
      defaults: z.optional(KeyDefaults),
    }).check(z.superRefine(defaultsOnPartnersOnly)))),
    // On call: checked as PUT …/schedules/{id} and PUT …/escalation check them (below).
    schedules: z.optional(z.array(z.extend(ScheduleBody, { id: ScheduleId })).check(z.maxLength(50))),
    escalation: z.optional(EscalationBody),
  })),
  people: z.optional(z.array(LocalPerson).check(z.maxLength(1000))),
}).check(z.superRefine((file, ctx) => {
  // A duplicate would silently replace the first entry, or hand one key string to two organizations.
  const orgAt = new Map<string, number>();
  const keyAt = new Map<string, string>();
  file.organizations.forEach((org, i) => {
    const first = orgAt.get(org.id);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['organizations', i, 'id'], message: `duplicate organization "${org.id}" (also organizations.${first})` });
    else orgAt.set(org.id, i);
    (org.keys ?? []).forEach((k, j) => {
      const here = `organizations.${i}.keys.${j}`;
      const seen = keyAt.get(k.key);
      if (seen) ctx.addIssue({ code: 'custom', path: ['organizations', i, 'keys', j, 'key'], message: `the same key string is listed at ${seen}: every key must be unique` });
      else keyAt.set(k.key, here);
    });
  });
  file.organizations.forEach((org, i) => {
    const contacts = new Set(contactIds(org.contacts));
    const ids = new Set<string>();
    (org.schedules ?? []).forEach((schedule, j) => {
      if (ids.has(schedule.id)) ctx.addIssue({ code: 'custom', path: ['organizations', i, 'schedules', j, 'id'], message: `schedule "${schedule.id}" is listed twice` });
      ids.add(schedule.id);
      // An unknown zone is already the schema's issue (TimeZone).
      for (const issue of scheduleIssues(schedule, contacts, isTimeZone).filter((x) => x.path !== 'timeZone')) {
        ctx.addIssue({ code: 'custom', path: ['organizations', i, 'schedules', j, ...issue.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))], message: issue.message });
      }
    });
    org.escalation?.levels.forEach((level, l) => level.targets.forEach((t, k) => {
      const at = ['organizations', i, 'escalation', 'levels', l, 'targets', k];
      if ('schedule' in t && !ids.has(t.schedule)) ctx.addIssue({ code: 'custom', path: [...at, 'schedule'], message: `"${t.schedule}" is not a schedule of ${org.id} in this file` });
      if ('contact' in t && !contacts.has(t.contact)) ctx.addIssue({ code: 'custom', path: [...at, 'contact'], message: `"${t.contact}" is not a contact of ${org.id}` });
    }));
  });
  const logins = new Set<string>();
  (file.people ?? []).forEach((person, i) => {
    if (!orgAt.has(person.orgId)) ctx.addIssue({ code: 'custom', path: ['people', i, 'orgId'], message: `"${person.orgId}" is not an organization of this file` });
    if (logins.has(person.login)) ctx.addIssue({ code: 'custom', path: ['people', i, 'login'], message: `login "${person.login}" is listed twice` });
    logins.add(person.login);
  });
})));
