/**
 * The floor under every function that reads DynamoDB: the document client, made as ours is, and
 * one consistent GetItem, with nothing of ours. Init over the empty handler's is what the SDK costs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => {
  const { Item } = await db.send(new GetCommand({ TableName: process.env.CONCORD_TABLE_NAME, Key: { PK: 'ORG#cisa', SK: 'ORG' }, ConsistentRead: true }));
  return { statusCode: Item ? 200 : 404, body: '' };
};
