/**
 * Runs every minute (a schedule in AWS, a timer locally): escalates what is due, reminds of overdue
 * status updates, pages the next level of each organization's escalation policy that is due, and
 * tells each contact whose shift started since its last run (once per shift).
 * Idempotent.
 */
import { container } from '../wiring/incidents';
import { logger } from '../runtime/logger';
import { emitMetric } from '../runtime/emf';

export async function handler(): Promise<{ escalated: number; reminded: number; paged: number }> {
  const { incidents } = await container();
  const { escalated, reminded } = await incidents.runTimers();
  // Loaded after the escalations: the notifier (and its SNS client) never delays them on a cold start.
  const { notifications } = await import('../wiring/notifications');
  const { notifier, shiftNotices } = await notifications();
  const { paged } = await notifier.runPaging();
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
