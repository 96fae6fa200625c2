/** docs/data-model.md's key table, as the key registry (lambdas/adapters/dynamodb/keys.ts) states it. */
import type { ItemKeys } from '../../lambdas/adapters/dynamodb/keys';

const cell = (format: string) => (format === '—' ? '—' : `\`${format.replace(/\|/g, '\\|')}\``);

export const TABLE_HEADER = ['| item | PK | SK | GSI1PK / GSI1SK | GSI2PK / GSI2SK |', '|---|---|---|---|---|'];

export const tableRow = (i: ItemKeys) => `| ${i.item} | ${cell(i.pk)} | ${cell(i.sk)} | ${cell(i.gsi1)} | ${cell(i.gsi2)} |`;
