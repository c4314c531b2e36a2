import { MediaFormatError } from '../errors.js';

/**
 * MSB-first bit reader over an RBSP (emulation prevention already removed) or an AV1 OBU
 * payload, with the Exp-Golomb and uvlc codes the parameter-set parsers need. Reading past
 * the end throws MediaFormatError.
 */
export class BitReader {
  private bit = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.bit;
  }

  /** Read n bits (0..32) as an unsigned number. */
  bits(n: number): number {
    if (n > this.bitsLeft) {
      throw new MediaFormatError(`${this.what}: truncated (need ${n} bit(s) at bit ${this.bit})`);
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.bit >>> 3]!;
      v = v * 2 + ((byte >>> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) {
      throw new MediaFormatError(`${this.what}: truncated (skip ${n} bit(s) at bit ${this.bit})`);
    }
    this.bit += n;
  }

  /** Unsigned Exp-Golomb ue(v), up to 2^32 - 2. */
  ue(): number {
    const zeros = this.leadingZeros(32);
    if (zeros === 32) {
      throw new MediaFormatError(`${this.what}: Exp-Golomb code longer than 32 bits`);
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** AV1 uvlc(). */
  uvlc(): number {
    const zeros = this.leadingZeros(Infinity);
    if (zeros >= 32) return 2 ** 32 - 1;
    return this.bits(zeros) + 2 ** zeros - 1;
  }

  /** Count zero bits before a 1 bit (consumed); stops early, unconsumed, after `max` zeros. */
  private leadingZeros(max: number): number {
    let zeros = 0;
    while (this.bits(1) === 0) {
      zeros++;
      if (zeros === max) return zeros;
    }
    return zeros;
  }
}
