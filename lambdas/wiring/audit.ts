/** Admin actions with their audit entry, on the shared adapters (see domain/audit.ts, auditedAction). */
import { auditedAction, type AuditAction } from '../domain/audit';
import type { Caller } from '../domain/incident';
import { adapters } from './adapters';

/** `check` says, writing nothing, whether `caller` may: a refusal is recorded as one `denied` entry. */
export function adminAction<T>(caller: Caller, action: AuditAction, what: string, run: () => Promise<T>, check?: () => Promise<void>): Promise<T> {
  const { auditLog, clock } = adapters();
  return auditedAction(auditLog, clock, caller, action, what, run, check);
}
