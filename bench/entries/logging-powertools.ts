/** Powertools for AWS Lambda's Logger and Metrics doing what logging-ours.ts does. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const logger = new Logger({ serviceName: 'concord' });
const metrics = new Metrics({ namespace: 'Concord', serviceName: 'concord' });

export const handler = async () => {
  logger.info('notified', { incidentId: 'inc_1', orgId: 'cisa' });
  metrics.addDimension('severity', 'high');
  metrics.addMetric('TimeToAcknowledge', MetricUnit.Seconds, 42);
  metrics.publishStoredMetrics();
  return { statusCode: 200, body: '' };
};
