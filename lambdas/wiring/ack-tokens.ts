/** The signer of emailed acknowledgement links: the ack pages need it, and nothing else of notifications. */
import { makeAckTokens } from '../domain/ack-tokens';
import { derived } from './adapters';

export const ackTokens = derived(async ({ secret, clock }) => makeAckTokens(await secret(), clock));
