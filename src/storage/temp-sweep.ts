import { opendir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface SweepOptions {
  /** Files whose name starts with this are the leftovers looked for. */
  readonly prefix: string;
  /** Only files last modified at least this long ago are removed. */
  readonly olderThanMs: number;
  readonly now?: number;
  /** Stops the walk (e.g. at shutdown): what was removed so far is reported. */
  readonly signal?: AbortSignal;
}

export interface SweepResult {
  readonly removed: number;
  /** Files that matched but could not be removed (already gone, permissions). */
  readonly failed: number;
}

/**
 * Removes the temporary files a crash left behind under `root` (every level): files named
 * `prefix…` and older than `olderThanMs`. Directories and symbolic links are not followed
 * out of the tree (links are skipped); a missing root is an empty sweep. The age limit keeps
 * files that a write in progress is still using.
 */
export async function sweepTemporaryFiles(root: string, o: SweepOptions): Promise<SweepResult> {
  const cutoff = (o.now ?? Date.now()) - o.olderThanMs;
  let removed = 0;
  let failed = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await opendir(dir);
    } catch {
      return; // gone or unreadable: nothing to sweep there
    }
    for await (const entry of entries) {
      if (o.signal?.aborted) break; // breaking out of the loop closes the directory
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.startsWith(o.prefix)) {
        try {
          if ((await stat(full)).mtimeMs > cutoff) continue;
          await unlink(full);
          removed++;
        } catch {
          failed++;
        }
      }
    }
  };
  await walk(root);
  return { removed, failed };
}
