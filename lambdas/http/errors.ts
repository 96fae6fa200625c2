/** Errors about the HTTP request itself, before any use case runs (mapped in problems.ts). */
import { DomainError } from '../domain/errors';

export class PayloadTooLargeError extends DomainError {}

export class UnsupportedMediaTypeError extends DomainError {}

export class MethodNotAllowedError extends DomainError {
  constructor(detail: string, readonly allow: string[]) { super(detail); }
}

/** The body did not arrive in time (a Content-Length that promises more than is sent): 408, the connection closed. */
export class RequestTimeoutError extends DomainError {}
