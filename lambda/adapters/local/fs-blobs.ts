import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BlobStore, StoredBlob } from '../../core/ports';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files';

/** Local stand-in for the payload bucket: one file per key (mode 0600) under a folder (0700). */
export class FsBlobStore implements BlobStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private rootMade?: Promise<void>;

  private pathOf(key: string): string {
    const p = resolve(join(this.root, key));
    if (!p.startsWith(this.root + sep)) throw new Error('blob key escapes the store');
    return p;
  }

  async put(key: string, body: Buffer | string): Promise<StoredBlob> {
    const p = this.pathOf(key);
    // The root once (an older version left it 0755), then any missing folder on the way, all 0700.
    this.rootMade ??= mkdir(this.root, { recursive: true, mode: PRIVATE_DIR_MODE }).then(() => chmod(this.root, PRIVATE_DIR_MODE));
    await this.rootMade;
    await mkdir(dirname(p), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFile(p, body, { mode: PRIVATE_FILE_MODE });
    return { url: pathToFileURL(p).href, key };
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async list(prefix: string, max: number, after?: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries
      .map((e) => relative(this.root, join(this.root, e)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && (after === undefined || k > after) && !k.endsWith('/'))
      .sort()
      .slice(0, max);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
