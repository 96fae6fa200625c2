/**
 * The table's stream feeds three consumers: the notifier (new timeline events), the metrics
 * aggregator and the correlation (changed incidents). Each has event filtering, bisect on error, bounded retries,
 * partial batch responses, and an encrypted dead-letter queue for what still fails.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';
import { STREAM_CONSUMERS, type StreamConsumer } from '../../lambdas/adapters/dynamodb/stream-consumers';

export interface StreamConsumersProps {
  table: ITable;
  key: IKey;
  notifier: ServiceFunction;
  aggregator: ServiceFunction;
  /** The correlation (changed incidents, like the aggregator). */
  correlator: ServiceFunction;
}

export class StreamConsumers extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: StreamConsumersProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the stream consumers; its depth is alarmed on.' });
    Validations.of(this.deadLetters).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is the dead-letter queue of the stream consumers; its depth is alarmed on.' });
    const source = (consumer: StreamConsumer) => new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      bisectBatchOnError: true,
      retryAttempts: 8,
      maxRecordAge: Duration.hours(6),
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.deadLetters),
      batchSize: consumer.batchSize,
      ...(consumer.batchingWindowMs > 0 ? { maxBatchingWindow: Duration.millis(consumer.batchingWindowMs) } : {}),
      filters: [FilterCriteria.filter({
        ...(consumer.insertsOnly ? { eventName: FilterRule.isEqual('INSERT') } : {}),
        dynamodb: { NewImage: { entity: { S: FilterRule.isEqual(consumer.entity) }, ...(consumer.types ? { type: { S: FilterRule.or(...consumer.types) } } : {}) } },
      })],
    });
    for (const fn of [props.notifier, props.aggregator, props.correlator]) {
      for (const id of ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]']) {
        Validations.of(fn).acknowledge({ id, reason: 'CDK\'s grant to send failed batches to the KMS-encrypted dead-letter queue; it is limited to the service key.' });
      }
    }
    // Batch sizes, windows and filters: STREAM_CONSUMERS, which the local poller reads too.
    props.notifier.addEventSource(source(STREAM_CONSUMERS.notifier));
    props.aggregator.addEventSource(source(STREAM_CONSUMERS.aggregator));
    props.correlator.addEventSource(source(STREAM_CONSUMERS.correlator));
  }
}
