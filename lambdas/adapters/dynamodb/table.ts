/**
 * The single table's shape, in one place: the local server and the tests create it from this, and
 * the CDK stack declares the same keys and indexes from it, so they cannot drift.
 */
export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

export const GSI1 = { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' } as const;

/** Sparse and overloaded: open, unacknowledged incidents by due time (ESCALATION), and each organization's API keys. */
export const GSI2 = { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' } as const;

export const GLOBAL_INDEXES = [GSI1, GSI2] as const;

export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;

/** Items with this attribute (epoch seconds) expire on their own. */
export const TTL_ATTRIBUTE = 'expiresAt' as const;
