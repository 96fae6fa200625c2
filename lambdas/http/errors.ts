/** Errors about the HTTP request itself, before any use case runs (mapped in problems.ts). */
import { DomainError } from '../domain/errors';

export class PayloadTooLargeError extends DomainError {}

export class UnsupportedMediaTypeError extends DomainError {}

export class MethodNotAllowedError extends DomainError {
  constructor(detail: string, readonly allow: string[]) { super(detail); }
}
