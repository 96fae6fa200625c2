/** Runs every minute (a schedule in AWS, a timer locally): escalates what is due and reminds of overdue status updates. Idempotent. */
import { container } from '../wiring/incidents';
import { logger } from '../runtime/logger';
import { emitMetric } from '../runtime/emf';

export async function handler(): Promise<{ escalated: number; reminded: number }> {
  const { incidents } = await container();
  const { escalated, reminded } = await incidents.runTimers();
  if (escalated.length) logger.info('escalated', { incidents: escalated });
  if (reminded.length) logger.info('update reminders', { incidents: reminded });
  emitMetric('Escalations', escalated.length, 'Count');
  emitMetric('UpdateReminders', reminded.length, 'Count');
  return { escalated: escalated.length, reminded: reminded.length };
}
