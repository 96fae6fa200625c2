/**
 * Domain errors: each names what went wrong, nothing about HTTP. `http/problems.ts` maps them to
 * statuses, problem types and headers in one table. Adapters translate infrastructure failures
 * into these and keep the original as `cause`.
 */
export interface FieldError { path: string; message: string }

/** The base of every error that is the caller's to fix or to retry (not a fault of ours). */
export abstract class DomainError extends Error {}

/** The input breaks a rule; `errors` names each field. */
export class ValidationError extends DomainError {
  constructor(detail: string, readonly errors: FieldError[] = []) { super(detail); }
}

/** No valid credential. */
export class UnauthorizedError extends DomainError {}

/** A valid credential that may not do this. */
export class ForbiddenError extends DomainError {}

/** Absent, or not visible to the caller (the two are indistinguishable on purpose). */
export class NotFoundError extends DomainError {}

/** The incident's state does not allow the command. */
export class ConflictError extends DomainError {
  constructor(detail: string, readonly currentStatus: string) { super(detail); }
}

/** The resource is still used by another (a schedule an escalation policy names): remove that use first. */
export class InUseError extends DomainError {}

/** `If-Match` named a version the incident has moved on from. */
export class PreconditionFailedError extends DomainError {
  constructor(detail: string, readonly currentVersion: number) { super(detail); }
}

/** The caller sends faster than allowed: retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(detail: string, readonly retryAfterSeconds: number, options?: { cause?: unknown }) { super(detail, options); }
}

/** The store is throttling, or a record changes too fast to win a write: retry after `retryAfterSeconds`. */
export class BusyError extends DomainError {
  constructor(detail: string, readonly retryAfterSeconds: number, options?: { cause?: unknown }) { super(detail, options); }
}

/** Raised by a repository when the record changed since it was read; the use case retries. */
export class ConcurrentModificationError extends Error {}
