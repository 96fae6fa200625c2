/**
 * One TransactWriteItems whose items have names, so a cancellation reason is found by what the
 * item is ("dedupClaim"), never by its position in the list.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, type CancellationReason } from './errors';

export type WriteItem = NonNullable<TransactWriteCommand['input']['TransactItems']>[number];

export class Transaction {
  private readonly items: WriteItem[] = [];
  private readonly names = new Map<string, number>();

  /** Adds an item; a name lets `reason` find why it failed. */
  add(item: WriteItem, name?: string): this {
    if (name !== undefined) this.names.set(name, this.items.length);
    this.items.push(item);
    return this;
  }

  addAll(items: readonly WriteItem[]): this {
    for (const item of items) this.add(item);
    return this;
  }

  /** Its items, in order. */
  get writes(): readonly WriteItem[] {
    return this.items;
  }

  send(db: DynamoDBDocumentClient): Promise<unknown> {
    return db.send(new TransactWriteCommand({ TransactItems: this.items }));
  }

  /** The position of the named item (-1 if none has the name). */
  indexOf(name: string): number {
    return this.names.get(name) ?? -1;
  }

  /** Why the named item failed in this cancelled transaction (undefined if it did not, or `err` is no cancellation). */
  reason(err: unknown, name: string): CancellationReason | undefined {
    const index = this.names.get(name);
    return index === undefined ? undefined : cancellationReasons(err)?.[index];
  }
}

/** Whether a cancellation failed on the named item's condition. */
export const failedCondition = (tx: Transaction, err: unknown, name: string) => tx.reason(err, name)?.Code === 'ConditionalCheckFailed';
