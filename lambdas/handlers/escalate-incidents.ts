/** Runs every minute (a schedule in AWS, a timer locally): escalates what is due. Idempotent. */
import { container } from '../wiring/incidents';
import { logger } from '../runtime/logger';
import { emitMetric } from '../runtime/emf';

export async function handler(): Promise<{ escalated: number }> {
  const { incidents } = await container();
  const done = await incidents.escalateDue();
  if (done.length) logger.info('escalated', { incidents: done });
  emitMetric('Escalations', done.length, 'Count');
  return { escalated: done.length };
}
