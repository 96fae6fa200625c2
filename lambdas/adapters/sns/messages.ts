/**
 * Rendering a notice per SNS protocol: an SMS of at most 140 GSM-7 characters, an email with the
 * TLP label on top and the signed acknowledgement links, and a default for everything else.
 */
import type { Incident } from '../../domain/incident';
import type { Tlp } from '../../domain/tlp';
import { stringifyJson } from '../../shared/json';
import type { Notice, RenderedMessage } from '../../domain/ports';

export const SMS_MAX = 140;
export const SUBJECT_MAX = 100;

/** GSM 03.38's basic character set, without the escape to the extension table. */
const GSM7 = new Set(Array.from('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'));

const LOOKALIKES: Record<string, string> = {
  '‘': "'", '’': "'", '‚': "'", '′': "'", '“': '"', '”': '"', '„': '"', '″': '"', '–': '-', '—': '-', '−': '-', '…': '...',
  '[': '(', ']': ')', '{': '(', '}': ')', '~': '-', '|': '/', '\\': '/', '^': "'", '€': 'EUR', '`': "'", '•': '*', '·': '.',
  'Ł': 'L', 'ł': 'l', 'Đ': 'D', 'đ': 'd', 'Ħ': 'H', 'ħ': 'h', 'Œ': 'OE', 'œ': 'oe', 'ı': 'i',
};

/** Every character in GSM-7's basic set: look-alikes substituted, accents dropped, the rest `?`. */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text.replace(/\s+/g, ' ')) {
    if (GSM7.has(ch)) out += ch;
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else {
      const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
      out += base.length > 0 && Array.from(base).every((c) => GSM7.has(c)) ? base : '?';
    }
  }
  return out.trim();
}

/** Printable ASCII only, as SNS requires of a subject. */
export function toAscii(text: string): string {
  let out = '';
  for (const ch of text.replace(/\s+/g, ' ')) {
    if (/[\x20-\x7e]/.test(ch)) out += ch;
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else out += ch.normalize('NFD').replace(/\p{M}+/gu, '').replace(/[^\x20-\x7e]/g, '?') || '?';
  }
  return out.trim();
}

export const fit = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3)).trimEnd()}...`);

export const TLP_MEANING: Record<Tlp, string> = {
  CLEAR: 'Disclosure is not limited.',
  GREEN: 'Share within your community, not through publicly accessible channels.',
  AMBER: 'Share on a need-to-know basis within your organization and its clients only.',
  'AMBER+STRICT': 'Share on a need-to-know basis within your organization only.',
  RED: 'For the named recipients only: no further disclosure.',
};

export const ORG = (id: string) => id.toUpperCase();

function headline(n: Notice): string {
  const { event } = n;
  const who = ORG(event.actor.orgId);
  switch (event.type) {
    case 'reported': return `New ${n.incident.severity} ${n.incident.category} incident reported by ${who}`;
    case 'acknowledged': return `${who} acknowledged`;
    case 'assigned': return `Assigned to ${ORG(String((event.data.assignee as { orgId?: string } | undefined)?.orgId ?? '?'))}`;
    case 'resolved': return `Resolved by ${who}`;
    case 'note': return `Note from ${who}`;
    case 'escalated': return `ESCALATED (level ${event.data.level}): not acknowledged for ${Math.round(Number(event.data.unacknowledgedSeconds ?? 0) / 60)} min`;
    case 'participants_added': return `${who} brought you into a ${n.incident.severity} ${n.incident.category} incident`;
    case 'reopened': return `Reopened by ${who}`;
    case 'status_update': return `Update from ${who}${typeof event.data.phase === 'string' ? ` (${event.data.phase})` : ''}`;
    case 'update_due': return 'Status update overdue';
    case 'correlated': return `Same observables as another incident${typeof event.data.incidentId === 'string' ? ` (${event.data.incidentId})` : ''}`;
    default: return event.type;
  }
}

/** Whether the recipient still has something to acknowledge. */
const awaitsAck = (incident: Incident, recipient: string) =>
  incident.status !== 'resolved' && incident.participants.includes(recipient) && !incident.acknowledgements.some((a) => a.orgId === recipient);

/**
 * No link to the app in the SMS, by decision: an incident's address in the app is the API's base
 * URL (about 60 characters behind API Gateway) plus `/app#/incidents/` and a 30-character id —
 * some 105 of the 140 characters, before the severity, the TLP label and `Reply ACK <code>`, which
 * would leave the title a handful of characters. A title that tells the person what happened is
 * worth more than a link; the email carries the signed acknowledgement link, and its confirmation
 * page links to the incident in the app.
 */
export function renderSms(n: Notice): string {
  const sev = n.incident.severity.toUpperCase();
  const what = n.event.type === 'reported' || n.event.type === 'escalated' ? '' : ` ${toGsm7(headline(n))}:`;
  const prefix = `${n.event.type === 'escalated' ? 'ESCALATED ' : ''}${sev} TLP:${n.incident.tlp}${what} `;
  const suffix = n.ackCode && awaitsAck(n.incident, n.recipient) ? ` Reply ACK ${n.ackCode}` : '';
  const room = SMS_MAX - prefix.length - suffix.length;
  return `${prefix}${fit(toGsm7(n.incident.title), room)}${suffix}`;
}

/** Untrusted single-line text: any line break or control character becomes a space. */
const oneLine = (text: string) => text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');

/** Untrusted multi-line text, every line behind a quote bar. */
const quoted = (text: string) => text.split(/\r\n|[\n\r\u2028\u2029]/).map((l) => `  | ${oneLine(l)}`);

export function renderEmail(n: Notice): { subject: string; body: string } {
  const { incident, event } = n;
  const subject = fit(toAscii(`[TLP:${incident.tlp}] [${incident.severity.toUpperCase()}] ${headline(n)}: ${incident.title}`), SUBJECT_MAX);
  const lines = [
    `TLP:${incident.tlp} - ${TLP_MEANING[incident.tlp]}`,
    '',
    headline(n),
    '',
    `Title:        ${oneLine(incident.title)}`,
    `Severity:     ${incident.severity}`,
    `Category:     ${incident.category}`,
    `Status:       ${incident.status}`,
    `Participants: ${incident.participants.join(', ')}`,
    `Reported:     ${incident.reportedAt} by ${incident.reporter.orgId}`,
    `Incident:     ${incident.id}`,
  ];
  // Concord's own lines (the acknowledgement links) come first; what participants wrote follows,
  // every line of it quoted, so no text can pass itself off as Concord's.
  if (awaitsAck(incident, n.recipient)) {
    lines.push('', `Acknowledge for ${ORG(n.recipient)} (each link is personal and valid for 24 hours):`);
    for (const link of n.ackLinks) lines.push(`  ${oneLine(link.contact)}: ${link.url}`);
    if (n.ackCode) lines.push(`Or text "ACK ${n.ackCode}" from a phone registered for ${ORG(n.recipient)}.`);
  }
  if (event.type === 'note' && typeof event.data.text === 'string') lines.push('', 'Note (as written by the participant):', ...quoted(event.data.text));
  if (event.type === 'resolved' && typeof event.data.resolution === 'string') lines.push('', 'Resolution (as written by the participant):', ...quoted(event.data.resolution));
  if (event.type === 'reopened' && typeof event.data.reason === 'string') lines.push('', 'Reason (as written by the participant):', ...quoted(event.data.reason));
  if (event.type === 'status_update' && typeof event.data.summary === 'string') {
    lines.push('', 'Update (as written by the participant):', ...quoted(event.data.summary));
    if (typeof event.data.nextUpdateDueAt === 'string') lines.push('', `Next update due: ${event.data.nextUpdateDueAt}`);
  }
  if (event.type === 'correlated') {
    // The other incident: every participant of this one may see it (domain/correlation.ts), or no event exists.
    const shared = Array.isArray(event.data.observables) ? event.data.observables as Array<{ type?: unknown; value?: unknown; platform?: unknown }> : [];
    lines.push('', `It shares ${shared.length} observable${shared.length === 1 ? '' : 's'} with incident ${String(event.data.incidentId)}:`);
    if (typeof event.data.title === 'string') lines.push(...quoted(event.data.title));
    for (const o of shared.slice(0, 20)) lines.push(`  - ${String(o.type)}${typeof o.platform === 'string' ? ` (${oneLine(o.platform)})` : ''}: ${oneLine(String(o.value))}`);
    if (shared.length > 20) lines.push(`  … and ${shared.length - 20} more (GET /v1/incidents/${incident.id}/related)`);
  }
  if (event.type === 'update_due') lines.push('', `The update promised for ${String(event.data.dueAt)} has not been posted. Post one: POST /v1/incidents/${incident.id}/updates`);
  if (incident.description && (event.type === 'reported' || event.type === 'participants_added')) lines.push('', 'Description (as written by the reporter):', ...quoted(incident.description));
  return { subject, body: lines.join('\n') };
}

/**
 * What partners' HTTPS endpoints receive: the event type, the incident as the API shows it, and the
 * event. `related` is left empty: it may name incidents the recipient may not see.
 */
export const renderPush = (n: Notice): string => stringifyJson({ type: n.event.type, incident: { ...n.incident, related: [] }, event: n.event });

export function render(n: Notice): RenderedMessage {
  const email = renderEmail(n);
  return { sms: renderSms(n), email, default: `${email.subject}\n${n.incident.id}`, https: renderPush(n) };
}
