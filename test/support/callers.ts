/**
 * The callers every authorization matrix tries, and what each may read: one statement of the rule,
 * shared by the API's matrix and TAXII's, so the two cannot drift apart.
 */
import { RESTRICTED_TLPS, type Tlp } from '../../lambdas/domain/tlp';
import { KEYS } from './harness';
import type { TestIssuer } from './test-issuer';

/** Facebook reports with FBI and ODNI participating; CISA's manager is outside, ODNI's inside. */
export const KEYED_CALLERS = {
  reporter: KEYS.partner.facebook,
  participant: KEYS.partner.fbi,
  outsider: KEYS.partner.google,
  'manager-outside': KEYS.manager.cisa,
  'manager-participant': KEYS.manager.odni,
  admin: KEYS.admin,
  'no-key': null,
  'bad-key': 'not-a-key-that-exists-anywhere-at-all',
} as const;

export type KeyedCaller = keyof typeof KEYED_CALLERS;

/** What a read of an incident of `tlp` answers `caller`: 200, 404 (as if absent), 403 or 401. */
export function expectedRead(caller: KeyedCaller, tlp: Tlp): number {
  switch (caller) {
    case 'reporter': case 'participant': case 'manager-participant': return 200;
    case 'outsider': return 404;
    case 'manager-outside': return (RESTRICTED_TLPS as readonly Tlp[]).includes(tlp) ? 404 : 200;
    case 'admin': return 403;
    default: return 401;
  }
}

/** People of the same organizations and roles, signed in through a test issuer every organization trusts; one forged token. */
export const PEOPLE = ['person-reporter', 'person-participant', 'person-outsider', 'person-manager-outside', 'person-manager-participant', 'person-admin', 'person-forged'] as const;
export type Person = (typeof PEOPLE)[number];

/** A person has exactly the rights of a key of the same organization and role. */
export const asKey = (caller: KeyedCaller | Person): KeyedCaller => (caller === 'person-forged' ? 'bad-key' : caller.replace(/^person-/, '') as KeyedCaller);

/** Each person's token from `idp` (which the test directory must trust). */
export async function peopleTokens(idp: TestIssuer): Promise<Record<Person, string>> {
  return {
    'person-reporter': await idp.token('facebook', 'fiona'),
    'person-participant': await idp.token('fbi', 'frank'),
    'person-outsider': await idp.token('google', 'gina'),
    'person-manager-outside': await idp.token('cisa', 'carl', { groups: ['concord-managers'] }),
    'person-manager-participant': await idp.token('odni', 'olga', { groups: ['concord-managers'] }),
    'person-admin': await idp.token('cisa', 'ada', { groups: ['concord-admins'] }),
    'person-forged': (await idp.token('fbi', 'mallory')).replace(/.{8}$/, 'AAAAAAAA'),
  };
}
