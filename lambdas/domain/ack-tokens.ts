/**
 * Signed acknowledgement links: an HMAC-SHA256 over (incident, organization, contact, expiry).
 * Anything altered, signed with another secret, or past its expiry is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from './errors';
import type { Clock } from './ports';

export const ACK_LINK_HOURS = 24;

export interface AckClaim { incidentId: string; orgId: string; contact: string; expiresAt: number }

export function makeAckTokens(secret: string, clock: Clock) {
  const mac = (payload: string) => createHmac('sha256', `ack:${secret}`).update(payload).digest();
  const refuse = () => new ForbiddenError('This acknowledgement link is not valid or has expired.');
  return {
    sign(incidentId: string, orgId: string, contact: string): string {
      const claim = { i: incidentId, o: orgId, c: contact, e: Math.floor(clock.now().getTime() / 1000) + ACK_LINK_HOURS * 3600 };
      const payload = Buffer.from(JSON.stringify(claim)).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    verify(token: string): AckClaim {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined || token.length > 1024) throw refuse();
      // Compared as the exact text issued: base64url decoding forgives stray and padding
      // characters and unused low bits, so an altered link could decode to the same bytes.
      const given = Buffer.from(signature, 'utf8');
      const expected = Buffer.from(mac(payload).toString('base64url'), 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse();
      let claim: { i?: unknown; o?: unknown; c?: unknown; e?: unknown };
      try {
        claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw refuse();
      }
      if (typeof claim.i !== 'string' || typeof claim.o !== 'string' || typeof claim.c !== 'string' || typeof claim.e !== 'number') throw refuse();
      if (claim.e * 1000 <= clock.now().getTime()) throw refuse();
      return { incidentId: claim.i, orgId: claim.o, contact: claim.c, expiresAt: claim.e };
    },
  };
}

export type AckTokens = ReturnType<typeof makeAckTokens>;
