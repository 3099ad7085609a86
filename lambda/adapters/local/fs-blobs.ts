import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BlobStore, StoredBlob } from '../../core/ports';

/** Local stand-in for the payload bucket: one file per key under a folder. */
export class FsBlobStore implements BlobStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const p = resolve(join(this.root, key));
    if (!p.startsWith(this.root + sep)) throw new Error('blob key escapes the store');
    return p;
  }

  async put(key: string, body: Buffer | string): Promise<StoredBlob> {
    const p = this.pathOf(key);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, body, { mode: 0o600 });
    return { url: pathToFileURL(p).href, key };
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }
}
