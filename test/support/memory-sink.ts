/**
 * A growable, seekable in-memory output for node-av's Muxer (IOOutputCallbacks).
 *
 * Why: node-av 6.1's `Muxer.close()` never calls avio_closep() for file or URL targets (it
 * frees the AVIOContext as if it were custom I/O), so each file muxed by path leaks its
 * file descriptor. Muxing into memory and writing the file ourselves avoids that; MP4 needs
 * the seek callback to patch its header.
 */
import { AVSEEK_CUR, AVSEEK_END, AVSEEK_SET, AVSEEK_SIZE } from 'node-av/constants';
import type { IOOutputCallbacks } from 'node-av/api';

export interface MemorySink extends IOOutputCallbacks {
  /** Everything written so far (a copy-free view). */
  contents(): Buffer;
}

export function memorySink(initialSize = 1 << 20): MemorySink {
  let buf = Buffer.alloc(initialSize);
  let size = 0;
  let pos = 0;
  const ensure = (end: number): void => {
    if (end <= buf.length) return;
    const bigger = Buffer.alloc(Math.max(end, buf.length * 2));
    buf.copy(bigger, 0, 0, size);
    buf = bigger;
  };
  return {
    write: (chunk) => {
      ensure(pos + chunk.length);
      chunk.copy(buf, pos);
      pos += chunk.length;
      size = Math.max(size, pos);
      return chunk.length;
    },
    seek: (offset, whence) => {
      const off = Number(offset);
      if (whence === AVSEEK_SIZE) return size;
      const base =
        whence === AVSEEK_SET
          ? 0
          : whence === AVSEEK_CUR
            ? pos
            : whence === AVSEEK_END
              ? size
              : NaN;
      const next = base + off;
      if (!Number.isFinite(next) || next < 0) return -1;
      pos = next;
      return pos;
    },
    contents: () => buf.subarray(0, size),
  };
}
