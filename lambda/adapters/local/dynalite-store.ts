/**
 * The local mode's DynamoDB: dynalite in-process, on disk, spoken to with the real SDK client through
 * the same DynamoDedupStore as in the cloud.
 */
import { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../contracts/table';
import { makePrivateDir, makeTreePrivate } from './private-files';

export const LOCAL_TABLE = 'callhooks-local';

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /**
   * How a DynamoDedupStore on dynalite must list pending records: from the table, not its `pending` index,
   * which a `kill -9` can leave disagreeing with the items (dynalite writes them one after the other).
   */
  readonly pendingFrom: 'table';
  close(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, cb: (err?: Error) => void): void;
  close(cb: (err?: Error) => void): void;
  address(): AddressInfo;
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
}

/**
 * Starts dynalite (on disk under `path`, or in memory when undefined) on 127.0.0.1 and creates the table.
 * The folder holds personal data: it is made 0700, and the files in it 0600 once the database is open and
 * again on close (also what an older version left 0644). Files that LevelDB creates in between are
 * unreachable to others inside the 0700 folder (and `npm start` runs with umask 077, so they are 0600 too).
 */
export async function startLocalDynamo(path: string | undefined): Promise<LocalDynamo> {
  // dynalite is a development dependency of the local mode only; it never reaches a Lambda bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => DynaliteServer;
  if (path) makePrivateDir(path, true);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((res, rej) => server.listen(0, '127.0.0.1', (err) => (err ? rej(err) : res())));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = localClient(endpoint);
  await ensureTable(client, LOCAL_TABLE);
  // The database is open: its files, and what an older version left, are made private now and on close.
  if (path) makeTreePrivate(path);
  return {
    client,
    endpoint,
    pendingFrom: 'table',
    close: async () => {
      await new Promise<void>((res) => {
        client.destroy();
        server.close(() => res());
      });
      if (path) makeTreePrivate(path);
    },
  };
}

/** Creates the dedup table as the stack defines it (contracts/table.ts), unless it exists. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.pendingIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.pendingIndex.sortKey, AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: TABLE.partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE.pendingIndex.name,
            KeySchema: [
              { AttributeName: TABLE.pendingIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.pendingIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (err instanceof ResourceInUseException || (err as { name?: string }).name === 'ResourceInUseException') return;
    throw err;
  }
}
