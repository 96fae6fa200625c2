/**
 * A schedule's calendar feed (RFC 5545, `text/calendar`): the next 60 days' shifts, one VEVENT
 * each, written by ical-generator — UTC DTSTART/DTEND, the contact's name as SUMMARY, and a UID
 * made of the schedule, the contact and the shift's start, so a calendar app that polls the feed
 * updates a shift instead of duplicating it. No credential but the feed token (calendar apps send
 * none); a wrong or revoked token is 403.
 */
import { createHash } from 'node:crypto';
import ical from 'ical-generator';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';
import { PRIVATE } from '../http/responses';
import { onCall } from '../wiring/oncall';

/** A shift's UID: stable for the same contact from the same instant of the same schedule. */
export const shiftUid = (orgId: string, scheduleId: string, contact: string, from: string) =>
  `${createHash('sha256').update(`${orgId}\n${scheduleId}\n${contact}\n${from}`).digest('hex').slice(0, 32)}@concord`;

export async function getScheduleCalendar({ params, query }: Input<typeof ROUTES.getScheduleCalendar>) {
  const orgId = params.id!;
  const scheduleId = params.scheduleId!;
  const { schedule, shifts, contacts, from } = await (await onCall()).feed(orgId, scheduleId, query.token);
  const names = new Map(contacts.map((c) => [c.id, c.name]));
  const calendar = ical({ name: `${schedule.spec.name} (on call)`, prodId: { company: 'Concord', product: 'on-call', language: 'EN' }, ttl: 900 });
  for (const shift of shifts) {
    calendar.createEvent({
      id: shiftUid(orgId, scheduleId, shift.contact, shift.from),
      start: new Date(shift.from), end: new Date(shift.to), stamp: from,
      summary: `On call: ${names.get(shift.contact) ?? shift.contact}`,
      description: `${schedule.spec.name} (${orgId})`,
    });
  }
  // RFC 5545 ends every content line with CRLF, END:VCALENDAR included; ical-generator leaves the last one off.
  const text = calendar.toString();
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/calendar; charset=utf-8', ...PRIVATE, 'content-disposition': `inline; filename="${scheduleId}.ics"` },
    body: text.endsWith('\r\n') ? text : `${text}\r\n`,
  };
}

export const handler = httpHandler(ROUTES.getScheduleCalendar, getScheduleCalendar);
