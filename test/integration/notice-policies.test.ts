/**
 * A notice reads its organizations' escalation policies together. Each was read with its own
 * GetItem, ten at a time: with the claims, most of a fan-out to 50 organizations' requests.
 */
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

const policyReads = { single: 0, batched: 0 };
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({
    notifications: true,
    overrides: {
      onDynamoDbClient: (client) => client.middlewareStack.add((next, context) => async (args) => {
        const input = JSON.stringify((args as { input: unknown }).input);
        if (input.includes('"ESCALATION"')) {
          if (context.commandName === 'GetItemCommand') policyReads.single++;
          if (context.commandName === 'BatchGetItemCommand') policyReads.batched++;
        }
        return next(args);
      }, { step: 'serialize', name: 'count-policy-reads' }),
    },
  });
});
afterAll(() => api.stop());

it('a report to four organizations reads their policies in one request', async () => {
  policyReads.single = policyReads.batched = 0;
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa', 'google', 'twitter'] }));
  await eventually(() => api.outbox.messages.filter((m) => m.incidentId === incident.id).length === 5);
  expect(policyReads).toEqual({ single: 0, batched: 1 });
});
