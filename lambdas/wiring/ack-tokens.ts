/** The signer of emailed acknowledgement links: the ack pages need it, and nothing else of notifications. */
import { makeAckTokens } from '../domain/ack-tokens';
import { derived } from './adapters';
import { signingSecret } from './secrets';

export const ackTokens = derived(async ({ clock }) => makeAckTokens(await signingSecret(), clock));
