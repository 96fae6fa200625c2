/** Publishing to organizations' topics: only the functions that publish bundle the SNS publisher. */
import { SnsPublisher } from '../adapters/sns/publisher';
import type { NotificationPublisher } from '../domain/ports';
import { derived } from './adapters';
import { snsClient } from './sns';

/** The local server and tests pass their own publisher; otherwise SNS, made on first use. */
export const publisher = derived(({ config, overrides }): NotificationPublisher => {
  if (overrides.publisher) return overrides.publisher;
  let made: SnsPublisher | undefined;
  // Texting a phone needs no topic: receive-sms, which replies to inbound texts, is given no topic prefix.
  const sns = () => (made ??= new SnsPublisher(snsClient(), config.topicArnPrefix ?? ''));
  return {
    publish: async (...args) => {
      if (!config.topicArnPrefix) throw new Error('Invalid configuration: CONCORD_TOPIC_ARN_PREFIX is required to publish notifications');
      return sns().publish(...args);
    },
    sendSms: (...args) => sns().sendSms(...args),
  };
});
