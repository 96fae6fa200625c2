/**
 * The callers every authorization matrix tries, and what each may read: one statement of the rule,
 * shared by the API's matrix and TAXII's, so the two cannot drift apart.
 */
import { RESTRICTED_TLPS, type Tlp } from '../../lambdas/domain/incident';
import { KEYS } from './harness';

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
