/** The notice the incoming contact gets at the start of a shift, per SNS protocol. */
import type { RenderedMessage } from '../../domain/ports';
import type { ShiftNotice } from '../../domain/oncall/shift-notices';
import { ORG, SMS_MAX, SUBJECT_MAX, fit, toAscii, toGsm7 } from './messages';

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function renderShiftNotice(n: ShiftNotice): RenderedMessage {
  const open = n.openIncidents.length;
  const subject = fit(toAscii(`[Concord] ${ORG(n.orgId)} on call: ${n.scheduleName} until ${utc(n.shift.to)}`), SUBJECT_MAX);
  const body = [
    `${n.contact.name}, your on-call shift of ${n.scheduleName} (${n.orgId}) starts now and ends ${utc(n.shift.to)}.`,
    '',
    open ? `${ORG(n.orgId)} has ${open} open incident${open === 1 ? '' : 's'}:` : `${ORG(n.orgId)} has no open incident.`,
    // Titles are outside text: one line each, quoted.
    ...n.openIncidents.map((i) => `  | ${i.severity} TLP:${i.tlp} ${i.status} ${i.id}: ${i.title.replace(/[\r\n]+/g, ' ')}`),
  ].join('\n');
  const sms = fit(toGsm7(`Concord: on call now for ${n.scheduleName} (${ORG(n.orgId)}) until ${utc(n.shift.to)}. Open incidents: ${open}.`), SMS_MAX);
  return { sms, email: { subject, body }, default: `${subject}\n${open} open incidents` };
}
