/**
 * The schemas are built with zod/mini, which words every issue "Invalid input" unless a locale is
 * configured; lambdas/http/zod-mini.ts configures English when the first schema is built, as classic
 * zod does. This file imports no classic zod (nor anything that does), so the messages below are
 * the schemas' own: classic's English ones, as every problem document has always worded them.
 */
import { ReportIncidentBody, ListIncidentsQuery } from '../../lambdas/http/schemas';
import { ScheduleBody } from '../../lambdas/http/oncall-schemas';
import { fieldErrors } from '../../lambdas/http/request';
import { PARSE } from '../../lambdas/http/parse-options';

const errorsOf = (schema: { safeParse: (v: unknown, p: typeof PARSE) => { success: boolean; error?: unknown } }, value: unknown, root = 'body') => {
  const result = schema.safeParse(value, PARSE);
  expect(result.success).toBe(false);
  return fieldErrors(result.error as Parameters<typeof fieldErrors>[0], root);
};

it('words body issues in English, as classic zod did', () => {
  expect(errorsOf(ReportIncidentBody, { title: 'x'.repeat(201), severity: 'bogus', links: [{ href: 'ftp://x' }], participants: 'cisa', bogus: 1 })).toEqual([
    { path: 'title', message: 'Too big: expected string to have <=200 characters' },
    { path: 'severity', message: 'Invalid option: expected one of "critical"|"high"|"medium"|"low"' },
    { path: 'category', message: 'Invalid option: expected one of "misinformation"|"ransomware"|"phishing"|"account-takeover"|"ddos"|"intrusion"|"other"' },
    { path: 'participants', message: 'Invalid input: expected array, received string' },
    { path: 'links.0.href', message: 'must be an http or https URL' },
    { path: 'bogus', message: 'unknown field' },
  ]);
});

it('words query and nested issues in English, and still applies defaults', () => {
  expect(errorsOf(ListIncidentsQuery, { limit: '0', scope: 'all' }, 'query')).toEqual([
    { path: 'scope', message: 'Invalid option: expected one of "own"|"community"' },
    { path: 'limit', message: 'Too small: expected number to be >=1' },
  ]);
  expect(ListIncidentsQuery.safeParse({}, PARSE)).toEqual({ success: true, data: { scope: 'own', limit: 25 } });
  expect(errorsOf(ScheduleBody, { name: 'Duty', timeZone: 'America/New_York', layers: [] })).toEqual([
    { path: 'layers', message: 'Too small: expected array to have >=1 items' },
  ]);
});
