/**
 * The local mode on an external DynamoDB (DESIGN.md §Local mode): `CALLHOOKS_DYNAMODB_ENDPOINT` names a
 * DynamoDB-compatible endpoint (DynamoDB Local, moto, dynalite as a server, or AWS itself), spoken to with the
 * real SDK client through the same DynamoDedupStore as in the cloud. The table `CALLHOOKS_TABLE_NAME` is created
 * there with the stack's shape (contracts/table.ts) when it is missing, and reused when it is there.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, TableDescription } from '@aws-sdk/client-dynamodb';
import { ENV } from '../../contracts/env';
import { TABLE } from '../../contracts/table';
import { ensureTable } from './dynalite-store';

/** The variable that switches the local mode to an external DynamoDB. */
export const DYNAMODB_ENDPOINT_ENV = 'CALLHOOKS_DYNAMODB_ENDPOINT';

/** The table used on an external DynamoDB when `CALLHOOKS_TABLE_NAME` is unset. */
export const DEFAULT_EXTERNAL_TABLE = 'callhooks';

/** How long a table just created may take to become ACTIVE (AWS takes seconds; emulators less). */
const ACTIVE_WITHIN_MS = 60_000;

export interface ExternalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  /** True when this start created the table, false when it was there already. */
  readonly created: boolean;
  close(): Promise<void>;
}

/**
 * The client for an external endpoint. Region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
 * Credentials: the SDK's usual chain when `AWS_ACCESS_KEY_ID` or `AWS_PROFILE` is set (AWS itself); otherwise
 * placeholder credentials, which DynamoDB Local, moto and dynalite accept.
 */
export function externalClient(endpoint: string, env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
  const usesAws = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return new DynamoDBClient({
    endpoint,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(usesAws ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: 3,
  });
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** What is wrong with an existing table for callhooks (its key and the pending index), or undefined. */
export function tableShapeProblem(table: TableDescription): string | undefined {
  const hash = table.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (hash !== TABLE.partitionKey || (table.KeySchema?.length ?? 0) !== 1) {
    return `its key is ${JSON.stringify(table.KeySchema?.map((k) => k.AttributeName) ?? [])}, callhooks needs the partition key "${TABLE.partitionKey}" alone`;
  }
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === TABLE.pendingIndex.name);
  const keys = index?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  if (keys !== `${TABLE.pendingIndex.partitionKey}:HASH,${TABLE.pendingIndex.sortKey}:RANGE`) {
    return `it has no global secondary index "${TABLE.pendingIndex.name}" on (${TABLE.pendingIndex.partitionKey}, ${TABLE.pendingIndex.sortKey})`;
  }
  return undefined;
}

/**
 * Connects to the DynamoDB at `endpoint` and makes sure the table is there, ACTIVE and of the stack's shape:
 * created when missing (and waited for), reused when present. Throws, naming the table and the endpoint, when
 * the endpoint does not answer, or the existing table has another shape.
 */
export async function connectExternalDynamo(endpoint: string, env: NodeJS.ProcessEnv = process.env): Promise<ExternalDynamo> {
  const tableName = env[ENV.tableName] || DEFAULT_EXTERNAL_TABLE;
  const client = externalClient(endpoint, env);
  try {
    let table = await describe(client, tableName);
    const created = table === undefined;
    if (created) await ensureTable(client, tableName);
    const deadline = Date.now() + ACTIVE_WITHIN_MS;
    for (table = table ?? (await describe(client, tableName)); table?.TableStatus !== 'ACTIVE'; table = await describe(client, tableName)) {
      if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after ${ACTIVE_WITHIN_MS / 1000} s (status ${table?.TableStatus ?? 'missing'})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const problem = tableShapeProblem(table);
    if (problem) throw new Error(`table ${tableName} cannot hold callhooks' records: ${problem}`);
    return { client, endpoint, tableName, created, close: async () => client.destroy() };
  } catch (err) {
    client.destroy();
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`DynamoDB at ${endpoint} (${DYNAMODB_ENDPOINT_ENV}), table ${tableName}: ${why}`, { cause: err });
  }
}
