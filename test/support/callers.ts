/**
 * The callers every authorization matrix tries, and what each may read: one statement of the rule,
 * shared by the API's matrix and TAXII's, so the two cannot drift apart.
 */
import { isCommunity, isRestricted, type Tlp } from '../../lambdas/domain/tlp';
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

/**
 * What a read of an incident of `tlp` answers `caller` (get, timeline, STIX, TAXII): 200, 404 (as if
 * absent), 403 or 401. An outside partner reads GREEN and CLEAR (the community's, #23); AMBER,
 * AMBER+STRICT and RED never reach it, and RED and AMBER+STRICT not even an outside manager.
 */
export function expectedRead(caller: KeyedCaller, tlp: Tlp): number {
  switch (caller) {
    case 'reporter': case 'participant': case 'manager-participant': return 200;
    case 'outsider': return isCommunity(tlp) ? 200 : 404;
    case 'manager-outside': return isRestricted(tlp) ? 404 : 200;
    case 'admin': return 403;
    default: return 401;
  }
}

/**
 * Whether `GET /v1/incidents` with `scope` lists an incident of `tlp` to `caller` (which may read
 * lists: expectedRead is neither 401 nor 403). `own`, the default: a partner's participations, a
 * manager's every incident it may see; `community`: every GREEN and CLEAR incident, for everyone.
 */
export function expectedListed(caller: KeyedCaller, tlp: Tlp, scope: 'own' | 'community'): boolean {
  if (scope === 'community') return isCommunity(tlp);
  return caller === 'outsider' ? false : expectedRead(caller, tlp) === 200;
}

/**
 * What a command (acknowledge, assign, resolve, note) on an incident of `tlp` answers `caller`
 * when the command itself is allowed: only participants' partners act (200). A partner that may
 * see the incident but does not participate (an outsider on GREEN or CLEAR) gets 403; one that may
 * not see it, 404 (as if absent); managers and admins 403; no or unknown credential 401.
 */
export function expectedCommand(caller: KeyedCaller, tlp: Tlp): number {
  switch (caller) {
    case 'reporter': case 'participant': return 200;
    case 'outsider': return expectedRead(caller, tlp) === 200 ? 403 : 404;
    case 'manager-outside': case 'manager-participant': case 'admin': return 403;
    default: return 401;
  }
}

/** What an incident's audit trail answers: its participants' (200); others who may see it 403; else as a read. */
export function expectedAuditTrail(caller: KeyedCaller, tlp: Tlp): number {
  const read = expectedRead(caller, tlp);
  return read === 200 && (caller === 'outsider' || caller === 'manager-outside') ? 403 : read;
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
