/**
 * Runs every minute (a schedule in AWS, a timer locally): escalates what is due, reminds of overdue
 * status updates, pages the next level of each organization's escalation policy that is due, and
 * tells each contact whose shift started since its last run (once per shift). Each step takes all
 * that is due, a batch of 100 at a time (for at most 20 s: the rest is the next minute's).
 * Idempotent.
 */
import { container } from '../wiring/incidents';
import { logger } from '../runtime/logger';
import { emitMetric } from '../runtime/emf';

/** Each step takes what is due a batch at a time, while batches come back full, for at most this long (the function has 50 s). */
const RUN_BUDGET_MS = 20_000;
const BATCH = 100;

/** `step`'s batches until one comes back short of BATCH or the budget is spent. */
async function whileDue<T>(step: () => Promise<T[]>, started: number): Promise<T[]> {
  const done: T[] = [];
  for (;;) {
    const batch = await step();
    done.push(...batch);
    if (batch.length < BATCH || Date.now() - started > RUN_BUDGET_MS) return done;
  }
}

export async function handler(): Promise<{ escalated: number; reminded: number; paged: number }> {
  const started = Date.now();
  const { incidents } = await container();
  const reminded: Array<{ incidentId: string; dueAt: string }> = [];
  // Escalations and reminders share a batch of due incidents.
  const escalated = await whileDue(async () => {
    const run = await incidents.runTimers(BATCH);
    reminded.push(...run.reminded);
    return [...run.escalated, ...run.reminded.map((r) => ({ incidentId: r.incidentId, level: 0 }))];
  }, started).then((all) => all.filter((e) => e.level > 0));
  // Loaded after the escalations: the notifier (and its SNS client) never delays them on a cold start.
  const { notifications } = await import('../wiring/notifications');
  const { notifier, shiftNotices } = await notifications();
  const paged = await whileDue(async () => (await notifier.runPaging(BATCH)).paged, started);
  const { sent } = await shiftNotices.run();
  if (sent.length) logger.info('shift notices', { notices: sent });
  emitMetric('ShiftNotices', sent.length, 'Count');
  if (paged.length) logger.info('paged', { pages: paged });
  emitMetric('Pages', paged.length, 'Count');
  if (escalated.length) logger.info('escalated', { incidents: escalated });
  if (reminded.length) logger.info('update reminders', { incidents: reminded });
  emitMetric('Escalations', escalated.length, 'Count');
  emitMetric('UpdateReminders', reminded.length, 'Count');
  return { escalated: escalated.length, reminded: reminded.length, paged: paged.length };
}
