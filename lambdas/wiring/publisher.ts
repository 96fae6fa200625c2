/** Publishing to organizations' topics: only the functions that publish bundle the SNS publisher. */
import { SnsPublisher } from '../adapters/sns/publisher';
import type { NotificationPublisher } from '../domain/notifications';
import { derived } from './adapters';
import { snsClient } from './sns';

/** The local server and tests pass their own publisher; otherwise SNS, made on first use. */
export const publisher = derived(({ config, overrides }): NotificationPublisher => {
  if (overrides.publisher) return overrides.publisher;
  let made: SnsPublisher | undefined;
  const get = () => {
    if (!config.topicArnPrefix) throw new Error('Invalid configuration: CONCORD_TOPIC_ARN_PREFIX is required to publish notifications');
    return (made ??= new SnsPublisher(snsClient(), config.topicArnPrefix));
  };
  return { publish: (...args) => get().publish(...args), sendSms: (...args) => get().sendSms(...args) };
});
