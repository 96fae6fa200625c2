import { BusyError } from '../../domain/errors';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);

export const isThrottling = (err: unknown): boolean =>
  err instanceof Error && THROTTLING.has(err.name);

/** Failures of the store, not of the request, that outlasted the SDK's own retries. */
const UNAVAILABLE = new Set(['InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'TransactionConflictException', 'TransactionInProgressException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** A write cancelled because an item was throttled or taken by another transaction (not by a condition). */
const cancelledByLoad = (err: Error): boolean =>
  err.name === 'TransactionCanceledException'
  && ((err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [])
    .some((r) => r.Code === 'ThrottlingError' || r.Code === 'TransactionConflict');

export const isUnavailable = (err: unknown): boolean =>
  err instanceof Error && (UNAVAILABLE.has(err.name) || NETWORK.has(String((err as { code?: unknown }).code))
    || (err as { $fault?: unknown }).$fault === 'server' || cancelledByLoad(err));

/**
 * Throttling, or a store that failed in a way the SDK's retries did not outlast (a server error, a
 * timeout, a reset connection, a write that met another transaction), is the caller's cue to
 * retry: a 503, not a 500. Anything else is passed on as it is.
 */
export function translate(err: unknown): unknown {
  if (isThrottling(err)) return new BusyError('The incident store is busy; try again shortly.', 1, { cause: err });
  if (isUnavailable(err)) return new BusyError('The incident store did not answer in time; try again shortly.', 1, { cause: err });
  return err;
}

export interface CancellationReason { Code?: string; Item?: Record<string, unknown> }

export function cancellationReasons(err: unknown): CancellationReason[] | null {
  if (err instanceof Error && err.name === 'TransactionCanceledException') {
    return ((err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []);
  }
  return null;
}

/** Awaits a request, translating what the adapter understands into domain errors. */
export async function guarded<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    throw translate(err);
  }
}
