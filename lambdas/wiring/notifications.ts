/** Notifications and SMS acknowledgements: bundled only by the functions that use them. */
import { render } from '../adapters/sns/messages';
import { SnsPublisher } from '../adapters/sns/publisher';
import { container } from '../container';
import { ackTokens } from './ack-tokens';
import { derived } from './adapters';
import { makeNotifier, type NotificationPublisher } from '../domain/notifications';
import { makeSmsAcknowledgements } from '../domain/sms-acknowledgements';

export const notifications = derived(async ({ config, overrides, clock, snsClient, incidentRepository, directoryRepository }) => {
  const { incidents } = await container();
  const publisher: NotificationPublisher = overrides.publisher ?? (() => {
    let made: SnsPublisher | undefined;
    const get = () => {
      if (!config.topicArnPrefix) throw new Error('Invalid configuration: CONCORD_TOPIC_ARN_PREFIX is required to publish notifications');
      return (made ??= new SnsPublisher(snsClient(), config.topicArnPrefix));
    };
    return { publish: (...args) => get().publish(...args), sendSms: (...args) => get().sendSms(...args) };
  })();
  const baseUrl = (config.publicBaseUrl ?? 'http://localhost:3000').replace(/\/$/, '');
  return {
    notifier: makeNotifier({
      incidents, repository: incidentRepository, deliveries: incidentRepository, directory: directoryRepository,
      publisher, render, clock, pause: overrides.pause,
      links: { link: async (incidentId, orgId, contact) => `${baseUrl}/v1/ack/${(await ackTokens()).sign(incidentId, orgId, contact)}` },
    }),
    sms: makeSmsAcknowledgements({ incidents, repository: incidentRepository, directory: directoryRepository, publisher }),
  };
});
