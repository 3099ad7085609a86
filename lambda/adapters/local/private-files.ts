/**
 * The local mode's files hold personal data (events with transcripts and phone numbers, the store's records,
 * dead letters, kept payloads): each is readable by its owner only, like the development secrets.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** rw for the owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** rwx for the owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` and any missing parent with mode 0700. `own`: the folder is callhooks's own (its store, its
 * blobs), so one left more open by an older version is set to 0700 too; a folder the user named (the one
 * holding CALLHOOKS_EVENTS_FILE) is left as it is.
 */
export function makePrivateDir(dir: string, own: boolean): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (own) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Sets `dir` itself to 0700 (unless it is missing or a symbolic link), and everything under it as
 * {@link makeTreePrivate} does: what an older version left in callhooks's own data folder.
 */
export function repairPrivateTree(dir: string): void {
  let isDir: boolean;
  try {
    isDir = lstatSync(dir).isDirectory();
  } catch {
    return;
  }
  if (!isDir) return;
  chmodSync(dir, PRIVATE_DIR_MODE);
  makeTreePrivate(dir);
}

/**
 * Sets every folder under `dir` to 0700 and every file to 0600 (what an older version left behind). Symbolic
 * links are left alone, and so is what they point to (a link's entry is neither a file nor a folder here).
 */
export function makeTreePrivate(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) chmodSync(path, PRIVATE_DIR_MODE);
    else if (entry.isFile()) chmodSync(path, PRIVATE_FILE_MODE);
  }
}
