/** Our logger and EMF writer: one log line and one metric, as a function's first invoke writes them. */
import { emitMetric } from '../../lambdas/runtime/emf';
import { logger } from '../../lambdas/runtime/logger';

export const handler = async () => {
  logger.info('notified', { incidentId: 'inc_1', orgId: 'cisa' });
  emitMetric('TimeToAcknowledge', 42, 'Seconds', { severity: 'high' });
  return { statusCode: 200, body: '' };
};
