/**
 * Shift notices: at the start of each shift the incoming contact gets one message naming the
 * schedule, the shift's end and the organization's open incidents. The escalation timer finds the
 * shifts that started since its last run (at most LOOKBACK_MS back: a timer stopped for a day does
 * not send a day of stale notices) and claims each (schedule, start, contact) in one conditional
 * write before sending it, so two runs, or a run and its retry, send it once.
 */
import { isRestricted } from '../tlp';
import type { Incident } from '../incident';
import type { Clock, Contact, DirectoryRepository, IncidentRepository, NotificationPublisher, OnCallRepository, RenderedMessage } from '../ports';
import { shiftsBetween, type Shift } from './schedule';

export const LOOKBACK_MS = 60 * 60_000;
/** Claims outlive the lookback: a week. */
const CLAIM_SECONDS = 7 * 86400;

export interface ShiftNotice { orgId: string; scheduleName: string; contact: Contact; shift: Shift; openIncidents: Array<Pick<Incident, 'id' | 'title' | 'severity' | 'tlp' | 'status'>> }

export interface ShiftNoticeDeps {
  oncall: Pick<OnCallRepository, 'allSchedules' | 'claimShiftNotice' | 'shiftNoticesUntil' | 'setShiftNoticesUntil'>;
  directory: Pick<DirectoryRepository, 'getOrganizations'>;
  incidents: Pick<IncidentRepository, 'list'>;
  publisher: NotificationPublisher;
  render: (notice: ShiftNotice) => RenderedMessage;
  clock: Clock;
}

export function makeShiftNotices({ oncall, directory, incidents, publisher, render, clock }: ShiftNoticeDeps) {
  /** Up to 100 of the organization's newest open incidents; RED ones only for a contact cleared for RED. */
  async function openIncidents(orgId: string, contact: Contact): Promise<ShiftNotice['openIncidents']> {
    const page = await incidents.list({ scope: { kind: 'organization', orgId }, limit: 100 });
    return page.items.filter((i) => i.status !== 'resolved' && (i.tlp !== 'RED' || contact.red) && (!isRestricted(i.tlp) || i.participants.includes(orgId)))
      .map(({ id, title, severity, tlp, status }) => ({ id, title, severity, tlp, status }));
  }

  return {
    async run(): Promise<{ sent: Array<{ orgId: string; scheduleId: string; contact: string; from: string }> }> {
      const now = clock.now();
      const last = await oncall.shiftNoticesUntil();
      const since = Math.max(last ? Date.parse(last) : now.getTime() - LOOKBACK_MS, now.getTime() - LOOKBACK_MS);
      const sent: Array<{ orgId: string; scheduleId: string; contact: string; from: string }> = [];
      const schedules = await oncall.allSchedules();
      const orgs = new Map((schedules.length ? await directory.getOrganizations([...new Set(schedules.map((s) => s.orgId))]) : []).map((o) => [o.id, o]));
      for (const schedule of schedules) {
        const org = orgs.get(schedule.orgId);
        if (!org) continue;
        // Shifts that start in (since, now]: those overlapping it, kept by their start.
        const starting = shiftsBetween(schedule.spec, new Date(since + 1), new Date(now.getTime() + 1))
          .filter((s) => Date.parse(s.from) > since && Date.parse(s.from) <= now.getTime());
        for (const shift of starting) {
          const contact = org.contacts.find((c) => c.id === shift.contact);
          if (!contact) continue;
          if (!(await oncall.claimShiftNotice(org.id, schedule.id, shift.from, shift.contact, Math.floor(now.getTime() / 1000) + CLAIM_SECONDS))) continue;
          const notice: ShiftNotice = { orgId: org.id, scheduleName: schedule.spec.name, contact, shift, openIncidents: await openIncidents(org.id, contact) };
          // A notice is for the one contact: on the RED topic if cleared (it may name RED incidents), else the organization's own.
          await publisher.publish(org.id, render(notice), { audience: contact.red ? 'red' : 'all', contacts: [contact.id] });
          sent.push({ orgId: org.id, scheduleId: schedule.id, contact: contact.id, from: shift.from });
        }
      }
      await oncall.setShiftNoticesUntil(now.toISOString());
      return { sent };
    },
  };
}
