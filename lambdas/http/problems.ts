/**
 * How each error becomes an HTTP answer: status, problem type slug, title, extra members and
 * headers, in one table. Anything not in it is a 500 whose cause is logged, never sent.
 */
import {
  BusyError, ConflictError, DomainError, InUseError, PreconditionFailedError, ForbiddenError, NotFoundError, RateLimitedError, UnauthorizedError, ValidationError,
} from '../domain/errors';
import { MethodNotAllowedError, PayloadTooLargeError, RequestTimeoutError, UnsupportedMediaTypeError } from './errors';

export interface ProblemMapping {
  status: number;
  slug: string;
  title: string;
  extensions?: (err: never) => Record<string, unknown>;
  headers?: (err: never) => Record<string, string>;
}

const retryAfter = (err: RateLimitedError | BusyError) => ({ 'retry-after': String(err.retryAfterSeconds) });

const TABLE: Array<[abstract new (...args: never[]) => DomainError, ProblemMapping]> = [
  [ValidationError, { status: 400, slug: 'invalid-request', title: 'The request is not valid', extensions: (e: ValidationError) => ({ errors: e.errors }) }],
  [UnauthorizedError, { status: 401, slug: 'unauthorized', title: 'Authentication required', headers: () => ({ 'www-authenticate': 'Bearer' }) }],
  [ForbiddenError, { status: 403, slug: 'forbidden', title: 'Not allowed' }],
  [NotFoundError, { status: 404, slug: 'not-found', title: 'Not found' }],
  [MethodNotAllowedError, { status: 405, slug: 'method-not-allowed', title: 'Method not allowed', headers: (e: MethodNotAllowedError) => ({ allow: e.allow.join(', ') }) }],
  [RequestTimeoutError, { status: 408, slug: 'request-timeout', title: 'The request body did not arrive in time' }],
  [ConflictError, { status: 409, slug: 'transition-not-allowed', title: 'The incident does not allow this now', extensions: (e: ConflictError) => ({ currentStatus: e.currentStatus }) }],
  [InUseError, { status: 409, slug: 'in-use', title: 'Still in use' }],
  [PreconditionFailedError, { status: 412, slug: 'precondition-failed', title: 'The incident has changed', extensions: (e: PreconditionFailedError) => ({ currentVersion: e.currentVersion }), headers: (e: PreconditionFailedError) => ({ etag: `"${e.currentVersion}"` }) }],
  [PayloadTooLargeError, { status: 413, slug: 'payload-too-large', title: 'The request body is too large' }],
  [UnsupportedMediaTypeError, { status: 415, slug: 'unsupported-media-type', title: 'The request body must be JSON' }],
  [RateLimitedError, { status: 429, slug: 'retry-later', title: 'Try again later', headers: retryAfter }],
  [BusyError, { status: 503, slug: 'retry-later', title: 'Try again later', headers: retryAfter }],
];

export interface Problem { status: number; slug: string; title: string; extensions: Record<string, unknown>; headers: Record<string, string> }

/** The HTTP answer for a domain or request error; null for anything else (a fault of ours). */
export function problemFor(err: unknown): Problem | null {
  if (!(err instanceof DomainError)) return null;
  const found = TABLE.find(([type]) => err instanceof type);
  if (!found) return null;
  const [, m] = found;
  return {
    status: m.status, slug: m.slug, title: m.title,
    extensions: m.extensions ? m.extensions(err as never) : {},
    headers: m.headers ? m.headers(err as never) : {},
  };
}
