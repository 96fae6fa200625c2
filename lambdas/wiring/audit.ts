/** Admin actions with their audit entry, on the shared adapters (see domain/audit.ts, auditedAction). */
import { auditedAction, type Allowed } from '../domain/audit';
import { type AuditAction } from '../domain/audit-entry';
import type { Caller } from '../domain/actor';
import { adapters } from './adapters';

/** `run` calls `allowed` after its checks and before it writes anything (see auditedAction). */
export function adminAction<T>(caller: Caller, action: AuditAction, what: string, run: (allowed: Allowed) => Promise<T>): Promise<T> {
  const { auditLog, clock } = adapters();
  return auditedAction(auditLog, clock, caller, action, what, run);
}
