import { BusyError } from '../../domain/errors';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);

export const isThrottling = (err: unknown): boolean =>
  err instanceof Error && THROTTLING.has(err.name);

/** Throttling that outlasted the SDK's own retries is the caller's cue to retry: a 503, not a 500. */
export function translate(err: unknown): unknown {
  if (isThrottling(err)) return new BusyError('The incident store is busy; try again shortly.', 1, { cause: err });
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
