/**
 * The on-call use cases: an organization's schedules (put, read, delete), their shifts and who is
 * on call, the calendar feed's token, and the organization's escalation policy.
 *
 * Who may: an organization's admin puts and deletes its schedules and its policy; anyone of the
 * organization (its systems' keys, its people, its managers) reads them; another organization's
 * caller is answered 404, as for a schedule that does not exist. The calendar feed needs no
 * credential but its token: an HMAC over the organization, the schedule and the schedule's feed
 * generation, which a new token bumps, so every earlier token stops working at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../actor';
import type { Allowed } from '../audit';
import { BusyError, ConcurrentModificationError, ForbiddenError, InUseError, NotFoundError, ValidationError, type FieldError } from '../errors';
import type { Clock, DirectoryRepository, EscalationPolicySpec, OnCallRepository, Organization, StoredEscalationPolicy, StoredSchedule } from '../ports';
import { DAY } from './zone';
import { allInOrder, takeInOrder } from '../../shared/pool';
import { MAX_WINDOW_DAYS, onCallAt, scheduleIssues, shiftsBetween, type OnCall, type Override, type ScheduleSpec, type Shift } from './schedule';

/** The most overrides a schedule holds (the schedule body's own limit). */
export const MAX_OVERRIDES = 200;

/** "Take this shift": from/to instants (ISO, UTC as the schema writes them); `contact` only an admin names. */
export interface OverrideInput { from: string; to: string; contact?: string }

/** The calendar feed's window: from now, this many days. */
export const FEED_DAYS = 60;

export interface OnCallDeps {
  repository: OnCallRepository;
  directory: Pick<DirectoryRepository, 'getOrganization'>;
  clock: Clock;
  /** The service's signing secret (feed tokens). */
  secret: () => Promise<string>;
  isZone: (zone: string) => boolean;
}

/** A schedule as answered: its spec, its id and organization, and the calendar link's token. */
export interface ScheduleView extends Omit<ScheduleSpec, 'overrides'> { id: string; orgId: string; overrides: Override[]; feedToken: string; createdAt: string; updatedAt: string }

export function makeOnCall({ repository, directory, clock, secret, isZone }: OnCallDeps) {
  const now = () => clock.now();

  /**
   * The feed token: an HMAC of the schedule (its organization, id and creation time) and its token
   * generation. The creation time keeps a schedule deleted and made again under the same id from
   * reviving links revoked before (its generation starts at 1 again).
   */
  async function feedToken(s: Pick<StoredSchedule, 'orgId' | 'id' | 'feedGeneration' | 'createdAt'>): Promise<string> {
    return createHmac('sha256', `calendar-feed:${await secret()}`).update(`${s.orgId}\n${s.id}\n${s.createdAt}\n${s.feedGeneration}`).digest('base64url');
  }

  /**
   * Starts reading the secret a schedule's answer (its feed token) will need, beside the request's
   * other reads: on a cold start it is a round trip of its own. A failure here is met again, and
   * answered, where the token is made.
   */
  const secretAhead = () => { secret().catch(() => undefined); };

  const view = async (s: StoredSchedule): Promise<ScheduleView> =>
    ({ id: s.id, orgId: s.orgId, ...s.spec, overrides: s.spec.overrides ?? [], feedToken: await feedToken(s), createdAt: s.createdAt, updatedAt: s.updatedAt });

  /** The organization as read, or 404 when there is none. */
  function found(org: Organization | null, orgId: string): Organization {
    if (!org) throw new NotFoundError(`No organization ${orgId}.`);
    return org;
  }

  const organizationOf = async (orgId: string): Promise<Organization> => found(await directory.getOrganization(orgId), orgId);

  /** Its own organization's admin only (another's: 403 once the organization exists). */
  async function adminOf(caller: Caller, orgId: string): Promise<Organization> {
    const org = await organizationOf(orgId);
    if (caller.role !== 'admin' || caller.orgId !== orgId) throw new ForbiddenError(`${orgId}'s schedules and escalation policy are changed by ${orgId}'s own admin.`);
    return org;
  }

  /**
   * The schedule an admin command replaces, read beside adminOf: only for the organization's own
   * admin. Anyone else is refused by adminOf alone, and its answer must not wait for the schedule's
   * read (its time would tell whether the schedule exists).
   */
  const scheduleBesideAdminOf = (caller: Caller, orgId: string, id: string): Promise<StoredSchedule | null> =>
    (caller.role === 'admin' && caller.orgId === orgId ? repository.getSchedule(orgId, id) : Promise.resolve(null));

  /** Anyone of the organization; for others it does not exist. */
  async function readable(caller: Caller, orgId: string, id: string): Promise<StoredSchedule> {
    const schedule = caller.orgId === orgId ? await repository.getSchedule(orgId, id) : null;
    if (!schedule) throw new NotFoundError(`No schedule ${id} of ${orgId}.`);
    return schedule;
  }

  function check(spec: ScheduleSpec, org: Organization): void {
    const issues = scheduleIssues(spec, new Set(org.contacts.map((c) => c.id)), isZone);
    if (issues.length) throw new ValidationError('The schedule is not valid.', issues);
  }

  function window(from: Date, to: Date): void {
    const errors: FieldError[] = [];
    if (!(to.getTime() > from.getTime())) errors.push({ path: 'to', message: 'must be after from' });
    else if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY) errors.push({ path: 'to', message: `must be at most ${MAX_WINDOW_DAYS} days after from` });
    if (errors.length) throw new ValidationError('The window is not valid.', errors);
  }

  /** Equal as data: the table does not keep the order of a map's keys. */
  const canonical = (v: unknown): string => (Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object' ? `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(v));
  const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

  return {
    feedToken,

    /** Creates or replaces a schedule; the same schedule again changes nothing. */
    async putSchedule(caller: Caller, orgId: string, id: string, spec: ScheduleSpec, allowed?: Allowed): Promise<{ created: boolean; schedule: ScheduleView }> {
      secretAhead();
      // The schedule it replaces is read beside the organization: one round trip. The schedule is
      // checked before that read's failure is met, as when it was read after the check.
      const [orgRead, existingRead] = await takeInOrder([adminOf(caller, orgId), scheduleBesideAdminOf(caller, orgId, id)] as const);
      const org = orgRead();
      check(spec, org);
      const existing = existingRead();
      await allowed?.();
      if (existing && same(existing.spec, spec)) return { created: false, schedule: await view(existing) };
      const at = now().toISOString();
      const stored: StoredSchedule = { orgId, id, spec, feedGeneration: existing?.feedGeneration ?? 1, createdAt: existing?.createdAt ?? at, updatedAt: at };
      const { created } = await repository.putSchedule(stored);
      return { created, schedule: await view(stored) };
    },

    async getSchedule(caller: Caller, orgId: string, id: string): Promise<ScheduleView> {
      secretAhead();
      return view(await readable(caller, orgId, id));
    },

    async listSchedules(caller: Caller, orgId: string): Promise<ScheduleView[]> {
      if (caller.orgId !== orgId) throw new NotFoundError(`No organization ${orgId}.`);
      secretAhead();
      return Promise.all((await repository.listSchedules(orgId)).map(view));
    },

    /** Removes a schedule; 409 while the organization's escalation policy names it. */
    async deleteSchedule(caller: Caller, orgId: string, id: string, allowed?: Allowed): Promise<void> {
      await adminOf(caller, orgId);
      if (!(await repository.getSchedule(orgId, id))) throw new NotFoundError(`No schedule ${id} of ${orgId}.`);
      const policy = await repository.getPolicy(orgId);
      const level = policy?.policy.levels.findIndex((l) => l.targets.some((t) => 'schedule' in t && t.schedule === id)) ?? -1;
      if (level >= 0) throw new InUseError(`Level ${level + 1} of ${orgId}'s escalation policy pages schedule ${id}: change the policy first.`);
      await allowed?.();
      await repository.deleteSchedule(orgId, id);
    },

    /** A new calendar token: every earlier one stops working. */
    async rotateFeedToken(caller: Caller, orgId: string, id: string, allowed?: Allowed): Promise<ScheduleView> {
      secretAhead();
      const [, existing] = await allInOrder([adminOf(caller, orgId), scheduleBesideAdminOf(caller, orgId, id)] as const);
      if (!existing) throw new NotFoundError(`No schedule ${id} of ${orgId}.`);
      await allowed?.();
      const stored = { ...existing, feedGeneration: existing.feedGeneration + 1, updatedAt: now().toISOString() };
      await repository.putSchedule(stored);
      return view(stored);
    },

    /**
     * "Take this shift": adds an override to a schedule of the caller's own organization. A signed-in
     * person adds one only for themselves — the contact of their organization whose email is the
     * address their identity provider vouches for; the organization's admin may name any contact
     * (`contact`). The contact must be a member of a layer; `to` after `from` and after now (an
     * override changes who will be on call, not who was), at most MAX_WINDOW_DAYS long.
     * Another organization's caller: 404, as for every schedule route.
     */
    async addOverride(caller: Caller, orgId: string, id: string, input: OverrideInput, allowed?: Allowed): Promise<ScheduleView> {
      secretAhead();
      const [, org] = await allInOrder([readable(caller, orgId, id), organizationOf(orgId)] as const);
      const isAdmin = caller.role === 'admin' && caller.orgId === orgId;
      let contact: string;
      let named = false;
      if (input.contact !== undefined) {
        named = true;
        const own = caller.person?.email ? org.contacts.filter((c) => c.email?.toLowerCase() === caller.person!.email!.toLowerCase()).map((c) => c.id) : [];
        if (!isAdmin && !own.includes(input.contact)) throw new ForbiddenError(`Only ${orgId}'s admin adds an override for someone else; a person takes a shift for themselves (leave out contact).`);
        contact = input.contact;
      } else if (caller.person) {
        const email = caller.person.email?.toLowerCase();
        if (!email) throw new ForbiddenError('Your identity provider vouches for no email address, so Concord cannot tell which contact you are: ask your organization\'s admin to add the override.');
        const mine = org.contacts.filter((c) => c.email?.toLowerCase() === email);
        if (!mine.length) throw new ForbiddenError(`No contact of ${orgId} has your email address (${caller.person.email}): only a contact takes a shift. Ask ${orgId}'s admin to add you as a contact with that address.`);
        const schedule = await repository.getSchedule(orgId, id);
        const members = new Set(schedule?.spec.layers.flatMap((l) => l.members) ?? []);
        contact = (mine.find((c) => members.has(c.id)) ?? mine[0]!).id;
      } else if (isAdmin) {
        throw new ValidationError('The override is not valid.', [{ path: 'contact', message: 'required for an API key: name the contact who takes the shift' }]);
      } else {
        throw new ForbiddenError(`An API key is no one: a signed-in person takes a shift for themselves, and ${orgId}'s admin adds one for anyone.`);
      }
      // Each round at least one writer wins: eight rounds settle eight people taking shifts at once.
      for (let attempt = 0; attempt < 8; attempt++) {
        const schedule = await readable(caller, orgId, id);
        const from = Date.parse(input.from);
        const to = Date.parse(input.to);
        const errors: FieldError[] = [];
        if (!schedule.spec.layers.some((l) => l.members.includes(contact))) {
          errors.push({ path: 'contact', message: named ? `"${contact}" is not a member of any layer of schedule ${id}` : `your contact "${contact}" is not a member of any layer of schedule ${id}` });
        }
        if (!(to > from)) errors.push({ path: 'to', message: 'must be after from' });
        else if (to - from > MAX_WINDOW_DAYS * DAY) errors.push({ path: 'to', message: `must be at most ${MAX_WINDOW_DAYS} days after from` });
        else if (!(to > now().getTime())) errors.push({ path: 'to', message: 'must be in the future: an override changes who will be on call, not who was' });
        if ((schedule.spec.overrides ?? []).length >= MAX_OVERRIDES) errors.push({ path: 'from', message: `schedule ${id} already holds ${MAX_OVERRIDES} overrides, the most it may: its admin removes past ones first` });
        if (errors.length) throw new ValidationError('The override is not valid.', errors);
        await allowed?.();
        const stored: StoredSchedule = {
          ...schedule,
          spec: { ...schedule.spec, overrides: [...(schedule.spec.overrides ?? []), { contact, from: new Date(from).toISOString(), to: new Date(to).toISOString() }] },
          updatedAt: now().toISOString(),
        };
        if (stored.updatedAt === schedule.updatedAt) stored.updatedAt = new Date(Date.parse(schedule.updatedAt) + 1).toISOString();
        try {
          await repository.putSchedule(stored, schedule.updatedAt);
          return view(stored);
        } catch (err) {
          if (!(err instanceof ConcurrentModificationError)) throw err;
        }
      }
      throw new BusyError(`Schedule ${id} is changing too fast to add the override; try again.`, 1);
    },

    async shifts(caller: Caller, orgId: string, id: string, from: Date, to: Date): Promise<Shift[]> {
      const schedule = await readable(caller, orgId, id);
      window(from, to);
      return shiftsBetween(schedule.spec, from, to);
    },

    async onCall(caller: Caller, orgId: string, id: string, at?: Date): Promise<OnCall> {
      return onCallAt((await readable(caller, orgId, id)).spec, at ?? now());
    },

    /**
     * The next FEED_DAYS days' shifts of the schedule the token is for, with the organization's
     * contacts (their names are the events' summaries); a wrong or revoked token is 403.
     */
    async feed(orgId: string, id: string, token: string): Promise<{ schedule: StoredSchedule; shifts: Shift[]; contacts: Organization['contacts']; from: Date }> {
      secretAhead();
      // The organization (its contacts name the shifts) is read beside the schedule, and used only
      // once the token is checked: a wrong token is refused before that read's failure is met, as
      // when it was read after.
      const [scheduleRead, orgRead] = await takeInOrder([repository.getSchedule(orgId, id), directory.getOrganization(orgId)] as const);
      const schedule = scheduleRead();
      const refuse = () => new ForbiddenError('This calendar link is not valid, or was replaced by a new one.');
      if (!schedule) throw refuse();
      const expected = Buffer.from(await feedToken(schedule));
      const given = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse();
      const from = now();
      return { schedule, shifts: shiftsBetween(schedule.spec, from, new Date(from.getTime() + FEED_DAYS * DAY)), contacts: found(orgRead(), orgId).contacts, from };
    },

    /** Sets the organization's escalation policy: its targets must be its schedules and contacts. */
    async putPolicy(caller: Caller, orgId: string, policy: EscalationPolicySpec, allowed?: Allowed): Promise<StoredEscalationPolicy> {
      const org = await adminOf(caller, orgId);
      const contacts = new Set(org.contacts.map((c) => c.id));
      const schedules = new Set((await repository.listSchedules(orgId)).map((s) => s.id));
      const errors: FieldError[] = [];
      policy.levels.forEach((level, i) => level.targets.forEach((t, j) => {
        if ('schedule' in t && !schedules.has(t.schedule)) errors.push({ path: `levels.${i}.targets.${j}.schedule`, message: `"${t.schedule}" is not a schedule of ${orgId}` });
        if ('contact' in t && !contacts.has(t.contact)) errors.push({ path: `levels.${i}.targets.${j}.contact`, message: `"${t.contact}" is not a contact of ${orgId}` });
      }));
      if (errors.length) throw new ValidationError('The escalation policy is not valid.', errors);
      await allowed?.();
      const stored: StoredEscalationPolicy = { orgId, policy, updatedAt: now().toISOString() };
      await repository.putPolicy(stored);
      return stored;
    },

    async getPolicy(caller: Caller, orgId: string): Promise<StoredEscalationPolicy> {
      const policy = caller.orgId === orgId ? await repository.getPolicy(orgId) : null;
      if (!policy) throw new NotFoundError(`No escalation policy of ${orgId}.`);
      return policy;
    },
  };
}

export type OnCallService = ReturnType<typeof makeOnCall>;
