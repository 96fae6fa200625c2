/** Runs every minute (a schedule in AWS, a timer locally): escalates what is due. Idempotent. */
import { container } from '../container';
import { logger } from '../http/logger';
import { emitMetric } from '../http/emf';

export async function handler(): Promise<{ escalated: number }> {
  const { incidents } = await container();
  const done = await incidents.escalateDue();
  if (done.length) logger.info('escalated', { incidents: done });
  emitMetric('Escalations', done.length, 'Count');
  return { escalated: done.length };
}
