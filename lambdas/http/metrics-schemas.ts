/**
 * The metrics query: apart from schemas.ts so that the metrics function bundles only what it
 * validates (its bundle carries the quantile sketch too).
 */
import * as z from './zod-mini';
import { built, withMeta } from './zod-mini';
import { GROUP_BYS } from '../domain/incident';


/** An ISO date-time with Z or an offset, or a date (UTC midnight); always answered in UTC. */
const Instant = /* @__PURE__ */ built(() => withMeta(z.pipe(
  z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO-8601 date-time such as 2026-11-01T00:00:00Z, or a date' }),
  z.transform((v) => new Date(v.length === 10 ? `${v}T00:00:00.000Z` : v).toISOString()),
), { example: '2026-11-01T00:00:00.000Z' }));
const MAX_WINDOW_DAYS = 3660;

export const MetricsQuery = /* @__PURE__ */ built(() => z.strictObject({
  from: withMeta(Instant, { description: 'Start of the window of reportedAt (inclusive).' }),
  to: withMeta(Instant, { description: 'End of the window of reportedAt (exclusive).' }),
  groupBy: z.optional(z.enum(GROUP_BYS)),
}).check(z.superRefine((q, ctx) => {
  const span = Date.parse(q.to) - Date.parse(q.from);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (span > MAX_WINDOW_DAYS * 86400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the window may span at most ${MAX_WINDOW_DAYS} days` });
})));

