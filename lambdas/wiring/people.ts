/**
 * Authentication's wiring: API keys through the directory, people's tokens through the issuers
 * their organizations trust, and the audit log that records every failure. Only the authorizer
 * (and the local host, which plays its part) bundles jose.
 */
import { makeTokenVerifier } from '../adapters/oidc/token-verifier';
import { derived } from './adapters';

export const authentication = derived((a) => ({
  verifyToken: makeTokenVerifier({
    trustsOf: async (issuer) => [...(a.overrides.localTrust?.(issuer) ?? []), ...(await a.directoryRepository.trustsOfIssuer(issuer))],
  }),
  audit: a.auditLog,
  clock: a.clock,
}));
