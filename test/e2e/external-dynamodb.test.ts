/**
 * The local mode on an external DynamoDB (`CALLHOOKS_DYNAMODB_ENDPOINT`): a dynalite server listening on
 * 127.0.0.1 plays the external DynamoDB (DynamoDB Local, moto or AWS in real use). `npm start` (the real command,
 * in a child process) creates the table there when it is missing, keeps its records in it (not in the data
 * folder), and reuses it on the next start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ROOT } from '../../local/runtime';
import { fixtureBody, fixtureHeaders, loadFixtures } from '../../local/fixtures';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import { localClient } from '../../lambda/adapters/local/dynalite-store';
import { connectExternalDynamo, DEFAULT_EXTERNAL_TABLE } from '../../lambda/adapters/local/external-dynamo';
import { startNpmStart, stopNpmStart } from '../helpers/npm-start';

const SECRET = 'whsec_' + Buffer.from('e2e external dynamo key').toString('base64');
const TABLE_NAME = 'callhooks-e2e-external';
const sample = loadFixtures('quarterzip').find((f) => f.name === 'call-completed')!;

interface DynaliteServer {
  listen(port: number, host: string, cb: (err?: Error) => void): void;
  close(cb: () => void): void;
  address(): AddressInfo;
}

let server: DynaliteServer;
let endpoint: string;
let client: DynamoDBClient;
let dir: string;

beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => DynaliteServer;
  // dynalite's own default: a new table stays CREATING for half a second, as a real DynamoDB's does for a while.
  server = dynalite({});
  await new Promise<void>((res, rej) => server.listen(0, '127.0.0.1', (err) => (err ? rej(err) : res())));
  endpoint = `http://127.0.0.1:${server.address().port}`;
  client = localClient(endpoint);
  dir = mkdtempSync(join(tmpdir(), 'callhooks-external-'));
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((res) => server.close(() => res()));
  rmSync(dir, { recursive: true, force: true });
});

function start(dataDir: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    CALLHOOKS_DATA_DIR: dataDir,
    CALLHOOKS_SECRET_QUARTERZIP: SECRET,
    CALLHOOKS_CONFIG: join(ROOT, 'callhooks.config.json'),
    CALLHOOKS_DYNAMODB_ENDPOINT: endpoint,
    CALLHOOKS_TABLE_NAME: TABLE_NAME,
  };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
  return startNpmStart(dir, env);
}
const stop = stopNpmStart;

async function sendSample(url: string) {
  const res = await fetch(`${url}/webhooks/quarterzip`, {
    method: 'POST',
    headers: fixtureHeaders(sample, quarterzip(), SECRET, new Date(), 'msg_e2e_external_1'),
    body: fixtureBody(sample),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const scan = async (table: string) => (await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];

describe('npm start on an external DynamoDB (CALLHOOKS_DYNAMODB_ENDPOINT)', () => {
  it('creates the table when missing, keeps the record there, and reuses the table on the next start', async () => {
    // Arrange
    const dataDir = join(dir, 'data');

    // Act: first start, on an endpoint without the table
    const first = await start(dataDir);
    const published = await sendSample(first.url);
    expect(await stop(first)).toBe(0);

    // Assert: the table has the stack's shape, and the delivery's record is in it (small: no event)
    expect(published).toEqual({ status: 200, body: { status: 'published', eventId: expect.any(String) } });
    const table = (await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }))).Table!;
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
      ['pending', [{ AttributeName: 'pendingShard', KeyType: 'HASH' }, { AttributeName: 'leaseUntil', KeyType: 'RANGE' }]],
    ]);
    const items = await scan(TABLE_NAME);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ eventId: { S: published.body.eventId }, vendor: { S: 'quarterzip' }, status: { S: 'PUBLISHED' } });
    expect(items[0].event).toBeUndefined();
    expect(first.output()).toContain(`store:   DynamoDB at ${endpoint}, table ${TABLE_NAME} (created now)`);
    // Nothing of dynalite in the data folder: the records live in the external table only.
    expect(existsSync(join(dataDir, 'db'))).toBe(false);

    // Act: second start, the table is there
    const second = await start(dataDir);
    const again = await sendSample(second.url);
    expect(await stop(second)).toBe(0);

    // Assert: the same table, its record remembered
    expect(second.output()).toContain(`store:   DynamoDB at ${endpoint}, table ${TABLE_NAME}\n`);
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', duplicate: true, eventId: published.body.eventId } });
    expect(await scan(TABLE_NAME)).toHaveLength(1);
    const events = readFileSync(join(dataDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(events).toHaveLength(1);
  }, 90_000);

  it('uses the table "callhooks" when CALLHOOKS_TABLE_NAME is unset', async () => {
    const dynamo = await connectExternalDynamo(endpoint, { CALLHOOKS_DYNAMODB_ENDPOINT: endpoint });
    await dynamo.close();
    expect(DEFAULT_EXTERNAL_TABLE).toBe('callhooks');
    expect(dynamo.tableName).toBe('callhooks');
    expect((await client.send(new DescribeTableCommand({ TableName: 'callhooks' }))).Table?.TableStatus).toBe('ACTIVE');
  });

  it('refuses, naming the table and what is wrong, an existing table of another shape', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'not-callhooks',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(connectExternalDynamo(endpoint, { CALLHOOKS_TABLE_NAME: 'not-callhooks' })).rejects.toThrow(
      `DynamoDB at ${endpoint} (CALLHOOKS_DYNAMODB_ENDPOINT), table not-callhooks: table not-callhooks cannot hold callhooks' records: its key is ["id"], callhooks needs the partition key "pk" alone`,
    );
  });

  it('says which endpoint did not answer', async () => {
    await expect(connectExternalDynamo('http://127.0.0.1:9', { CALLHOOKS_TABLE_NAME: 'x' })).rejects.toThrow(/^DynamoDB at http:\/\/127\.0\.0\.1:9 \(CALLHOOKS_DYNAMODB_ENDPOINT\), table x: /);
  });
});
