/**
 * A command's floor: what the SDK costs a cold start that makes a command's requests — one
 * consistent GetItem, then one TransactWriteItems (a conditional Put and a ConditionCheck) — with
 * nothing of ours. Printed beside the one-GetItem floor, so the functions' figures over the floor
 * can be read as the SDK's first use of another operation and what is our own code.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => {
  const TableName = process.env.CONCORD_TABLE_NAME;
  const { Item } = await db.send(new GetCommand({ TableName, Key: { PK: 'ORG#cisa', SK: 'ORG' }, ConsistentRead: true }));
  const at = new Date().toISOString();
  await db.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName, Item: { PK: `BENCH#floor#${at}#${Math.random()}`, SK: 'FLOOR', at }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { ConditionCheck: { TableName, Key: { PK: 'ORG#cisa', SK: 'ORG' }, ConditionExpression: 'attribute_exists(PK)' } },
    ],
  }));
  return { statusCode: Item ? 200 : 404, body: '' };
};
