import { MediaFormatError } from '../errors.js';

/** Remove emulation-prevention bytes (00 00 03 → 00 00) from a NAL unit, giving its RBSP. */
export function unescapeRbsp(nal: Buffer): Buffer {
  let i = nal.indexOf(EMULATION_PREVENTION);
  if (i < 0) return nal;
  const out = Buffer.allocUnsafe(nal.length);
  let o = 0;
  let from = 0;
  while (i >= 0) {
    nal.copy(out, o, from, i + 2);
    o += i + 2 - from;
    from = i + 3;
    i = nal.indexOf(EMULATION_PREVENTION, from);
  }
  nal.copy(out, o, from);
  o += nal.length - from;
  return out.subarray(0, o);
}

const EMULATION_PREVENTION = Buffer.from([0, 0, 3]);

/**
 * The NAL units of a length-prefixed access unit (AVCC/HVCC framing), as views. Throws
 * MediaFormatError when a length runs past the end.
 */
export function* lengthPrefixedNalus(data: Buffer, lengthSize = 4): Generator<Buffer> {
  let pos = 0;
  while (pos < data.length) {
    if (pos + lengthSize > data.length) {
      throw new MediaFormatError(`NAL unit length truncated at offset ${pos}`);
    }
    const len = data.readUIntBE(pos, lengthSize);
    pos += lengthSize;
    if (pos + len > data.length) {
      throw new MediaFormatError(
        `NAL unit of ${len} bytes at offset ${pos} runs past the end (${data.length} bytes)`,
      );
    }
    yield data.subarray(pos, pos + len);
    pos += len;
  }
}
