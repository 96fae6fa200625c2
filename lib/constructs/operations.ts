/**
 * Operations: an alarm per function on its errors and throttles, API 5xx, dead letters and escalations, all
 * to one encrypted topic; and a dashboard with the response-time figures.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/runtime/emf';
import { SEVERITIES } from '../../lambdas/domain/incident';
import type { ServiceFunction } from './service-function';

export interface OperationsProps {
  stage: string;
  key: IKey;
  api: RestApi;
  functions: ServiceFunction[];
  deadLetters: Queue;
  /** Where SNS puts pushes to partners' endpoints that failed every retry. */
  pushDeadLetters: Queue;
  /** Where the escalation schedule and the inbound-SMS subscription put what they could not deliver. */
  asyncDeadLetters: Queue;
  alarmEmail?: string;
}

export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: `Concord ${props.stage} operations`, masterKey: props.key, enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({ id: 'Serverless-SNSRedrivePolicy', reason: 'The operators\' alarm email: SNS retries email delivery itself, and the alarm stays in ALARM on the CloudWatch console whatever happens to the email.' });
    }
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, description: string, threshold = 1) => {
      const a = new Alarm(this, name, {
        metric, threshold, evaluationPeriods: 1, alarmDescription: description,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };

    // One alarm per function on its errors and throttles together (metric math): two per function
    // would take 90 of the stack's 500 resources for the same page to the same topic.
    for (const fn of props.functions) {
      const name = fn.node.id;
      const failures = new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: { errors: fn.metricErrors({ period: Duration.minutes(5) }), throttles: fn.metricThrottles({ period: Duration.minutes(5) }) },
        period: Duration.minutes(5),
        label: `${name} errors and throttles`,
      });
      alarm(`${name}Failures`, failures, `${name} failed or was throttled`);
    }
    alarm('Api5xx', props.api.metricServerError({ period: Duration.minutes(5) }), 'The API answered 5xx');
    alarm('DeadLetters', props.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'Stream records failed every retry');
    alarm('AsyncDeadLetters', props.asyncDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'An escalation run or an inbound SMS failed every retry');
    alarm('PushDeadLetters', props.pushDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'A push to a partner\'s HTTPS endpoint failed every retry');
    const escalations = new Metric({ namespace: METRICS_NAMESPACE, metricName: 'Escalations', statistic: 'Sum', period: Duration.minutes(5) });
    alarm('Escalations', escalations, 'An incident went unacknowledged past its escalation time');

    const bySeverity = (name: string, stat: string) => SEVERITIES.map((severity) => new Metric({
      namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { Severity: severity }, statistic: stat, period: Duration.hours(1), label: `${severity} ${stat}`,
    }));
    new Dashboard(this, 'Dashboard', {
      dashboardName: `concord-${props.stage}`,
      widgets: [
        [
          new GraphWidget({ title: 'Time to acknowledge (s), p50 by severity', left: bySeverity('TimeToAcknowledge', 'p50'), width: 12 }),
          new GraphWidget({ title: 'Time to acknowledge (s), p90 by severity', left: bySeverity('TimeToAcknowledge', 'p90'), width: 12 }),
        ],
        [
          new GraphWidget({ title: 'Time to resolve (s), p50 by severity', left: bySeverity('TimeToResolve', 'p50'), width: 12 }),
          new GraphWidget({ title: 'Escalations', left: [escalations], width: 12 }),
        ],
        [
          new GraphWidget({ title: 'API requests and 5xx', left: [props.api.metricCount()], right: [props.api.metricServerError()], width: 12 }),
          new GraphWidget({ title: 'API latency (ms)', left: [props.api.metricLatency({ statistic: 'p50' }), props.api.metricLatency({ statistic: 'p99' })], width: 12 }),
        ],
      ],
    });
  }
}
