/**
 * Domain errors. One base class; the HTTP layer maps each to a problem document by its `status`.
 * Adapters translate infrastructure failures into these and keep the original as `cause`.
 */
export interface FieldError { path: string; message: string }

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** A short, stable slug for the problem `type` URI. */
  abstract readonly slug: string;
  abstract readonly title: string;
  /** Extra members of the problem document. */
  extensions(): Record<string, unknown> { return {}; }
  /** Extra response headers. */
  headers(): Record<string, string> { return {}; }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly slug = 'invalid-request';
  readonly title = 'The request is not valid';
  constructor(detail: string, readonly errors: FieldError[] = []) { super(detail); }
  override extensions() { return { errors: this.errors }; }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly slug = 'unauthorized';
  readonly title = 'Authentication required';
  override headers() { return { 'www-authenticate': 'Bearer' }; }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly slug = 'transition-not-allowed';
  readonly title = 'The incident does not allow this now';
  constructor(detail: string, readonly currentStatus: string) { super(detail); }
  override extensions() { return { currentStatus: this.currentStatus }; }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'The request body must be JSON';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly slug = 'method-not-allowed';
  readonly title = 'Method not allowed';
  constructor(detail: string, readonly allow: string[]) { super(detail); }
  override headers() { return { allow: this.allow.join(', ') }; }
}

/** The caller must slow down (429) or the store is throttling us (503); both say when to retry. */
export class RetryLaterError extends DomainError {
  readonly slug = 'retry-later';
  readonly title = 'Try again later';
  constructor(detail: string, readonly status: 429 | 503, readonly retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(detail, options);
  }
  override headers() { return { 'retry-after': String(this.retryAfterSeconds) }; }
}

/** Raised by a repository when the record changed since it was read; the use case retries. */
export class ConcurrentModificationError extends Error {}
