/**
 * The incident and directory use cases, wired on the shared adapters (wiring/adapters.ts). Most
 * HTTP functions need exactly this; notifications, ingest and metrics have their own modules in
 * ./wiring so that only their functions bundle them.
 */
import type { Config } from '../config/env';
import { makeAuditTrail } from '../domain/audit';
import { makeDirectory } from '../domain/directory';
import { DEFAULT_ESCALATION, type EscalationPolicy } from '../domain/escalation';
import { ulidGenerator } from '../shared/ids';
import { makeIncidents } from '../domain/incident-service';
import type { OrganizationProvisioner } from '../domain/ports';
import { derived, resetAdapters, type Overrides } from './adapters';

export type { Overrides } from './adapters';

function escalationPolicy(config: Config): EscalationPolicy {
  return { ...DEFAULT_ESCALATION, afterSeconds: { ...DEFAULT_ESCALATION.afterSeconds, ...config.escalationSeconds } };
}

const NOT_PROVISIONING: OrganizationProvisioner = {
  provision: () => Promise.reject(new Error('This function does not provision topics: write organizations through wiring/organizations.ts')),
};

export const container = derived((a) => {
  const { config, overrides, clock, incidentRepository, directoryRepository, auditLog, observableIndex } = a;
  // Only writing organizations provisions topics, through ./organizations.ts: the SNS client stays
  // out of every other function's bundle and cold start.
  const provisioner: OrganizationProvisioner = overrides.provisioner ?? NOT_PROVISIONING;
  return {
    config,
    incidents: makeIncidents({
      incidents: incidentRepository, directory: directoryRepository, audit: auditLog, clock, ids: ulidGenerator(clock),
      escalation: escalationPolicy(config), pause: overrides.pause, observables: observableIndex,
    }),
    directory: makeDirectory({ directory: directoryRepository, provisioner, clock }),
    auditTrail: makeAuditTrail({ audit: auditLog, clock }),
    audit: auditLog,
  };
});

export type Container = Awaited<ReturnType<typeof container>>;

/** For tests and the local server: replace what AWS provides and rebuild on next use. */
export function resetContainer(next: Overrides = {}): void {
  resetAdapters(next);
}
