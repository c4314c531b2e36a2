import { MediaFormatError } from '../errors.js';

/**
 * A bounds-checked big-endian cursor over a Buffer. Every read past the end throws
 * MediaFormatError naming `what` is being parsed; views it returns never reach past the end.
 */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  /** Signed 24-bit (FLV composition time). */
  i24(): number {
    this.need(3);
    const v = this.buf.readIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Buffer {
    this.need(n);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** A view (no copy) of everything left. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** A reader over the next n bytes, advancing this one past them. */
  sub(n: number, what = this.what): ByteReader {
    this.need(n);
    const r = new ByteReader(this.buf, what, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new MediaFormatError(
        `${this.what}: truncated (need ${n} byte(s) at offset ${this.pos}, ${this.remaining} left)`,
      );
    }
  }
}
