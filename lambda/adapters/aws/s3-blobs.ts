/**
 * Payload store on S3 (the stack's encrypted, TLS-only bucket). Only rare paths use it (an event over the bus
 * limit, a body kept for inspection, an event kept for the redrive when it is too big for an item), so the
 * webhook function's cold start does not pay for the S3 client: `@aws-sdk/client-s3` is required on the first
 * put or get, not when the module loads (esbuild keeps a `require` inside a function as a lazily evaluated
 * module in the bundle; test/construct/lazy-s3.test.ts checks that the real bundle defers it).
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { BlobStore, CallOptions, StoredBlob } from '../../core/ports';

type S3Module = typeof import('@aws-sdk/client-s3');

let s3Module: S3Module | undefined;

/** `@aws-sdk/client-s3`, evaluated on first call. */
function s3(): S3Module {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (s3Module ??= require('@aws-sdk/client-s3') as S3Module);
}

/** A client made on first use, with `config`: what the functions pass so that loading them never evaluates S3. */
export function lazyS3Client(config: S3ClientConfig): () => S3Client {
  return () => new (s3().S3Client)(config);
}

export class S3BlobStore implements BlobStore {
  private made?: S3Client;

  /** @param client an S3 client, or a function that makes one on the first put or get ({@link lazyS3Client}) */
  constructor(
    private readonly client: S3Client | (() => S3Client),
    private readonly bucket: string,
  ) {}

  private get s3Client(): S3Client {
    return (this.made ??= typeof this.client === 'function' ? this.client() : this.client);
  }

  async put(key: string, body: Buffer | string, contentType: string, options: CallOptions = {}): Promise<StoredBlob> {
    const { PutObjectCommand } = s3();
    await this.s3Client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal: options.signal });
    return { url: `s3://${this.bucket}/${key}`, bucket: this.bucket, key };
  }

  async get(key: string, options: CallOptions = {}): Promise<Buffer> {
    const { GetObjectCommand } = s3();
    const out = await this.s3Client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
    if (!out.Body) return Buffer.alloc(0);
    return Buffer.from(await out.Body.transformToByteArray());
  }

  async list(prefix: string, max: number, after?: string): Promise<string[]> {
    const { ListObjectsV2Command } = s3();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3Client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, StartAfter: token ? undefined : after, ContinuationToken: token, MaxKeys: Math.min(1000, max - keys.length) }),
      );
      for (const o of out.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && keys.length < max);
    return keys;
  }

  async delete(key: string): Promise<void> {
    const { DeleteObjectCommand } = s3();
    await this.s3Client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
