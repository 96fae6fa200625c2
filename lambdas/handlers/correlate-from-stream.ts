/**
 * The correlation: a third consumer of the table's stream. Every change of an incident item is
 * passed to the correlator (domain/correlation.ts), which indexes the observables it gained and
 * tells the incidents that share one, where the visibility rule allows, exactly once.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changedIncident } from '../adapters/dynamodb/stream-records';
import { correlation } from '../wiring/correlation';
import { processInOrder } from '../runtime/stream-batch';

export async function handler(stream: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { correlator } = await correlation();
  return processInOrder(stream, changedIncident, async ({ before, after }) => {
    await correlator.onChange(before, after);
  }, ({ after }) => ({ incidentId: after.id }));
}
