/**
 * Bidirectional override and isolate controls (U+202A–U+202E, U+2066–U+2069) in single-line text
 * (issue #22, item 3): `Invoice \u202efdp.exe` renders as "Invoice exe.pdf". Every single-line field
 * of every body schema and of the directory file refuses them, naming the field; multi-line text
 * keeps them (the app isolates it).
 */
import type * as z from 'zod/mini';
import * as s from '../../lambdas/http/schemas';
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { fieldErrors } from '../../lambdas/http/request';
import { BIDI_CONTROLS, escapeBidi } from '../../lambdas/shared/bidi';
import { problem } from '../../lambdas/http/responses';
import { auditEntry } from '../../lambdas/domain/audit-entry';
import { eventFromAlarm } from '../../lambdas/integrations/cloudwatch';
import { PagerDutyEvent, reportFromTrigger } from '../../lambdas/integrations/pagerduty';

const SPOOF = 'Invoice \u202efdp.exe';
const CONTROLS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

const incident = () => ({ title: 'Outage', severity: 'high', category: 'other', dedupKey: 'k-1', source: 'siem', links: [{ href: 'https://x.example', text: 'runbook' }] });
const organization = () => ({
  name: 'FBI', kind: 'agency', contacts: [{ name: 'Duty officer', email: 'duty@fbi.example' }],
  identity: [{ issuer: 'https://idp.example', audience: 'concord', rolesClaim: 'groups', roles: { admins: 'admin' } }],
});
const pagerDuty = () => ({
  routing_key: 'routing-key-0123456789abcdef', event_action: 'trigger', dedup_key: 'd-1', client: 'Nagios',
  payload: { summary: 'Disk full', source: 'db-1', severity: 'error', component: 'disk', group: 'db', class: 'capacity' },
});
const directoryFile = () => ({
  organizations: [{ id: 'fbi', name: 'FBI', kind: 'agency', contacts: [{ name: 'Duty officer' }] }],
  people: [{ login: 'dana', name: 'Dana Whitfield', orgId: 'fbi', password: 'pw' }],
});

type Body = Record<string, any>;
/** Writes `value` at `path` (dots; a `{key}` segment renames the record key `roles.admins`). */
function withValueAt(body: Body, path: string, value: string): Body {
  const copy = structuredClone(body);
  const parts = path.split('.');
  let at: any = copy;
  for (const p of parts.slice(0, -1)) at = at[p];
  const last = parts.at(-1)!;
  if (last.startsWith('{')) {
    const key = last.slice(1, -1);
    const kept = at[key];
    delete at[key];
    at[value] = kept;
  } else {
    at[last] = value;
  }
  return copy;
}

/** Every single-line text field a person or a system writes, as [body, path of the field, schema, valid body]. */
const SINGLE_LINE: Array<[string, string, z.ZodMiniType, () => Body]> = [
  ['report', 'title', s.ReportIncidentBody, incident],
  ['report', 'dedupKey', s.ReportIncidentBody, incident],
  ['report', 'source', s.ReportIncidentBody, incident],
  ['report', 'links.0.text', s.ReportIncidentBody, incident],
  ['acknowledge', 'by', s.AcknowledgeBody, () => ({ by: 'Dana' })],
  ['assign', 'responder', s.AssignBody, () => ({ orgId: 'fbi', responder: 'Dana' })],
  // Coordination (#23): the PATCH's single-line fields.
  ['edit (PATCH)', 'title', s.EditBody, () => ({ title: 'Corrected' })],
  ['edit (PATCH)', 'links.0.text', s.EditBody, () => ({ links: [{ href: 'https://x.example', text: 'runbook' }] })],
  ['status update', 'summary', s.StatusUpdateBody, () => ({ summary: 'Identified', phase: 'identified' })],
  ['organization', 'name', s.OrganizationBody, organization],
  ['organization', 'contacts.0.name', s.OrganizationBody, organization],
  ['organization', 'identity.0.audience', s.OrganizationBody, organization],
  ['organization', 'identity.0.roles.{admins}', s.OrganizationBody, organization],
  ['PagerDuty event', 'routing_key', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'dedup_key', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'client', PagerDutyEvent, pagerDuty],
  // The summary becomes the incident's title.
  ['PagerDuty event', 'payload.summary', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'payload.source', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'payload.component', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'payload.group', PagerDutyEvent, pagerDuty],
  ['PagerDuty event', 'payload.class', PagerDutyEvent, pagerDuty],
  ['directory file', 'organizations.0.name', DirectoryFileSchema, directoryFile],
  ['directory file', 'organizations.0.contacts.0.name', DirectoryFileSchema, directoryFile],
  ['directory file', 'people.0.name', DirectoryFileSchema, directoryFile],
];

const errorsOf = (schema: z.ZodMiniType, body: unknown) => {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : fieldErrors(parsed.error, 'body');
};

describe('3: single-line text refuses bidirectional controls, naming the field', () => {
  it.each(SINGLE_LINE)('%s: %s, valid as given, is accepted', (_name, _path, schema, valid) => {
    expect(errorsOf(schema, valid())).toEqual([]);
  });

  it.each(SINGLE_LINE)('%s: %s refuses "Invoice \\u202efdp.exe" with 400 naming the field', (_name, path, schema, valid) => {
    const errors = errorsOf(schema, withValueAt(valid(), path, SPOOF));
    const field = path.replace(/\.\{[^}]*\}$/, '');
    expect(errors).toEqual([expect.objectContaining({ path: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}`)), message: expect.stringMatching(/bidirectional/) })]);
  });

  it.each([
    ['report', 'links.0.href', s.ReportIncidentBody, incident],
    ['organization', 'identity.0.issuer', s.OrganizationBody, organization],
    ['organization', 'endpoints.0.url', s.OrganizationBody, () => ({ ...organization(), endpoints: [{ url: 'https://hooks.example/concord' }] })],
    ['PagerDuty event', 'client_url', PagerDutyEvent, () => ({ ...pagerDuty(), client_url: 'https://nagios.example/' })],
  ] as Array<[string, string, z.ZodMiniType, () => Body]>)('%s: the URL %s refuses one too (URL parsing accepts it raw)', (_name, path, schema, valid) => {
    expect(errorsOf(schema, valid())).toEqual([]);
    const errors = errorsOf(schema, withValueAt(valid(), path, 'https://idp.example/\u202efdp.exe'));
    expect(errors).toEqual([{ path, message: expect.stringMatching(/bidirectional/) }]);
  });

  it.each(CONTROLS.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase()}`, c]))('refuses %s in a title', (_name, c) => {
    expect(errorsOf(s.ReportIncidentBody, { ...incident(), title: `a${c}b` })).toEqual([{ path: 'title', message: expect.stringMatching(/bidirectional/) }]);
  });

  it('keeps them in multi-line text (description, notes, resolution), which the app isolates', () => {
    expect(errorsOf(s.ReportIncidentBody, { ...incident(), description: SPOOF })).toEqual([]);
    expect(errorsOf(s.NoteBody, { text: SPOOF })).toEqual([]);
    expect(errorsOf(s.ResolveBody, { resolution: SPOOF })).toEqual([]);
    expect(errorsOf(s.AcknowledgeBody, { note: SPOOF })).toEqual([]);
    expect(errorsOf(s.EditBody, { description: SPOOF })).toEqual([]);
    expect(errorsOf(s.ReopenBody, { reason: SPOOF })).toEqual([]);
    expect(errorsOf(s.InviteBody, { orgIds: ['fbi'], note: SPOOF })).toEqual([]);
  });

  it('leaves other format characters to the rules that were there (a zero-width joiner in an emoji name is fine)', () => {
    expect(errorsOf(s.ReportIncidentBody, { ...incident(), title: 'Family 👨\u200d👩\u200d👧 phishing' })).toEqual([]);
  });
});

describe('3: outside text the service echoes has its bidirectional controls escaped', () => {
  it('escapeBidi writes each control as visible \\uXXXX and leaves other text alone', () => {
    expect(escapeBidi(SPOOF)).toBe('Invoice \\u202Efdp.exe');
    expect(escapeBidi('\u2066x\u2069 é 👨\u200d👩')).toBe('\\u2066x\\u2069 é 👨\u200d👩');
    for (const c of CONTROLS) expect(BIDI_CONTROLS.test(escapeBidi(`a${c}b`))).toBe(false);
  });

  it('a problem document never carries one, in its detail or in the fields it names', () => {
    const answer = problem({ status: 401, slug: 'unauthorized', title: 'Unauthorized', detail: `No organization trusts the issuer "https://idp.example/${SPOOF}".`, extensions: { errors: [{ path: `x${SPOOF}`, message: 'unknown field' }] } });
    expect(answer.body).not.toMatch(BIDI_CONTROLS);
    expect(JSON.parse(answer.body).detail).toContain('Invoice \\u202Efdp.exe');
    expect(JSON.parse(answer.body).errors[0].path).toBe('xInvoice \\u202Efdp.exe');
  });

  it('an audit entry never carries one in its detail', () => {
    const entry = auditEntry({ actor: { orgId: 'unknown', by: null, via: 'api' }, requestId: 'r' }, 'authenticate', new Date(0).toISOString(), 'denied', {}, `No organization trusts the issuer "https://idp.example/${SPOOF}".`);
    expect(JSON.stringify(entry)).not.toMatch(BIDI_CONTROLS);
    expect(entry.detail).toContain('\\u202E');
  });
});

describe('3: titles the service writes itself from outside text', () => {
  it('a CloudWatch alarm named with a bidirectional control becomes a title without it (AWS allows it in alarm names; the alarm is not refused)', () => {
    const event = eventFromAlarm({ AlarmName: SPOOF, NewStateValue: 'ALARM', AlarmArn: 'arn:aws:cloudwatch:us-east-1:1:alarm:x', Region: 'us-east-1' }, 'routing-key-0123456789abcdef');
    const report = reportFromTrigger(event as never, 'd', {});
    expect(report.title).toBe('Invoice fdp.exe');
    expect(report.title).not.toMatch(BIDI_CONTROLS);
  });
});

describe('3: field names a client sends are written out wherever an error names them', () => {
  it('fieldErrors escapes them, so TAXII\'s error messages and HTML pages name them as problem documents do', () => {
    const parsed = s.NoteBody.safeParse({ text: 'x', [`x${SPOOF}`]: 1 });
    expect(parsed.success).toBe(false);
    const errors = fieldErrors(parsed.error!, 'body');
    expect(errors).toEqual([{ path: 'xInvoice \\u202Efdp.exe', message: 'unknown field' }]);
  });
});
