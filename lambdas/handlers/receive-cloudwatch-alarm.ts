import { container } from '../wiring/incidents';
import { ingest } from '../wiring/ingest';
import { ForbiddenError, ValidationError } from '../domain/errors';
import type { SnsMessage } from '../adapters/sns/message-verifier';
import { httpHandler, type Input } from '../http/handler';
import { logger } from '../runtime/logger';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';
import { CloudWatchAlarmMessage, eventFromAlarm } from '../integrations/cloudwatch';
import { fieldErrors } from '../http/request';
import { PARSE } from '../http/parse-options';

export async function receiveCloudWatchAlarm({ params, body, requestId }: Input<typeof ROUTES.receiveCloudWatchAlarm>) {
  const { directory } = await container();
  const { events, snsMessages } = await ingest();
  const message = body as SnsMessage;
  await snsMessages.verify(message);
  const routing = await directory.routingKey(params.routingKey!);
  if (!routing) throw new ForbiddenError('The routing key is not valid.');

  if (message.Type === 'SubscriptionConfirmation') {
    await snsMessages.confirm(message);
    logger.info('confirmed SNS subscription', { requestId, topicArn: message.TopicArn, orgId: routing.caller.orgId });
    return json(200, { status: 'confirmed' });
  }
  if (message.Type !== 'Notification') return json(200, { status: 'ignored' });

  let parsed: unknown;
  try {
    parsed = JSON.parse(message.Message);
  } catch {
    throw new ValidationError('The SNS message is not a CloudWatch alarm.', [{ path: 'Message', message: 'is not JSON' }]);
  }
  const alarm = CloudWatchAlarmMessage.safeParse(parsed, PARSE);
  if (!alarm.success) throw new ValidationError('The SNS message is not a CloudWatch alarm.', fieldErrors(alarm.error, 'Message').map((e) => ({ ...e, path: `Message.${e.path}` })));
  const event = eventFromAlarm(alarm.data, params.routingKey!);
  if (!event) return json(200, { status: 'ignored', state: alarm.data.NewStateValue });
  const dedupKey = await events.enqueue(routing.caller, routing.defaults, event);
  return json(200, { status: 'success', action: event.event_action, dedup_key: dedupKey });
}

export const handler = httpHandler(ROUTES.receiveCloudWatchAlarm, receiveCloudWatchAlarm);
