/**
 * S3BlobStore on moto's S3, and the offload of a large event through the real pipeline: the transcript
 * lands in the bucket at the key of the event's pointer, with the size and SHA-256 the pointer states.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../../lambda/adapters/aws/s3-blobs';
import { ensureTable } from '../../lambda/adapters/local/dynalite-store';
import { Headers } from '../../lambda/core/http';
import { handleDelivery } from '../../lambda/core/pipeline';
import { quarterzip } from '../../lambda/vendors/quarterzip';
import {
  BusEvent,
  createBucket,
  createBus,
  createVendorSecret,
  drainQueue,
  MotoClients,
  motoClients,
  motoPipelineDeps,
  MotoServer,
  ruleToQueue,
  startMoto,
} from './moto-server';


const TABLE = 'callhooks-moto-s3';
const BUS = 'callhooks-moto-s3-bus';
const BUCKET = 'callhooks-moto-payloads';
const MAX_EVENT_BYTES = 8 * 1024;

let moto: MotoServer;
let clients: MotoClients;

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto);
  await Promise.all([ensureTable(clients.dynamo, TABLE), createBucket(clients, BUCKET), createBus(clients, BUS)]);
});

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('S3BlobStore on moto', () => {
  it('gets back the exact bytes it put, and names where they are', async () => {
    // Prepare
    const store = new S3BlobStore(clients.s3, BUCKET);
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, ...Buffer.from('binary, not UTF-8: é')]);

    // Act
    const stored = await store.put('roundtrip/blob.bin', bytes, 'application/octet-stream');
    const back = await store.get('roundtrip/blob.bin');

    // Assert
    expect(stored).toEqual({ url: `s3://${BUCKET}/roundtrip/blob.bin`, bucket: BUCKET, key: 'roundtrip/blob.bin' });
    expect(back.equals(bytes)).toBe(true);
  });
});

describe('a large event through the pipeline on moto', () => {
  it('puts the transcript in S3 at the pointer key, with the stated size and SHA-256, and a small event on the bus', async () => {
    // Prepare
    const adapter = quarterzip();
    const secret = adapter.generateSecret();
    const arn = await createVendorSecret(clients, 'quarterzip', secret);
    const queue = await ruleToQueue(clients, BUS, 's3-all-quarterzip', { source: ['callhooks.quarterzip'] });
    const deps = motoPipelineDeps(clients, {
      adapters: new Map([['quarterzip', adapter]]),
      secretArns: new Map([['quarterzip', arn]]),
      table: TABLE,
      bus: BUS,
      bucket: BUCKET,
      limits: { maxEventBytes: MAX_EVENT_BYTES },
    });
    const turns = Array.from({ length: 200 }, (_, i) => ({ speaker: i % 2 ? 'user' : 'agent', text: `turn ${i}: ${'words '.repeat(20)}` }));
    const now = new Date();
    const raw = Buffer.from(JSON.stringify({ type: 'call.completed', timestamp: now.toISOString(), data: { call_id: 'long-call', transcript: turns } }));
    const delivery = { vendor: 'quarterzip', method: 'POST', headers: new Headers(Object.entries(adapter.sign(raw, secret, now, 'msg_s3_big'))), query: {}, body: raw, receivedAt: now };

    // Act
    const reply = await handleDelivery(delivery, deps);

    // Assert
    expect(reply).toMatchObject({ statusCode: 200, body: { status: 'published' } });
    const [event] = await drainQueue<BusEvent>(clients.sqs, queue);
    expect(Buffer.byteLength(JSON.stringify(event.detail))).toBeLessThan(MAX_EVENT_BYTES);
    expect(event.detail.transcript).toEqual({ turns: [], truncated: false });
    const pointer = event.detail.offload!;
    expect(pointer).toMatchObject({ part: 'transcript', bucket: BUCKET, url: `s3://${BUCKET}/${pointer.key}` });
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    expect(body.length).toBe(pointer.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(pointer.sha256);
    expect(JSON.parse(body.toString('utf8')).turns.map((t: { text: string }) => t.text)).toEqual(turns.map((t) => t.text));
  });
});
