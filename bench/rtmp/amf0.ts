/**
 * The small part of AMF0 an RTMP publishing client needs: encode command arguments, decode
 * the server's `_result` / `_error` / `onStatus` replies. Pure.
 */

export enum Amf0Marker {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
}

export type Amf0Value =
  number | boolean | string | null | undefined | Amf0Value[] | { [key: string]: Amf0Value };

function encodeString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bytes.length);
  return Buffer.concat([head, bytes]);
}

export function encodeAmf0(value: Amf0Value): Buffer {
  if (value === null) return Buffer.of(Amf0Marker.Null);
  if (value === undefined) return Buffer.of(Amf0Marker.Undefined);
  if (typeof value === 'number') {
    const b = Buffer.alloc(9);
    b[0] = Amf0Marker.Number;
    b.writeDoubleBE(value, 1);
    return b;
  }
  if (typeof value === 'boolean') return Buffer.of(Amf0Marker.Boolean, value ? 1 : 0);
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > 0xffff) throw new Error('AMF0 long strings are not needed');
    return Buffer.concat([Buffer.of(Amf0Marker.String), encodeString(value)]);
  }
  if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = Amf0Marker.StrictArray;
    head.writeUInt32BE(value.length, 1);
    return Buffer.concat([head, ...value.map(encodeAmf0)]);
  }
  const parts: Buffer[] = [Buffer.of(Amf0Marker.Object)];
  for (const [key, v] of Object.entries(value)) parts.push(encodeString(key), encodeAmf0(v));
  parts.push(Buffer.of(0, 0, Amf0Marker.ObjectEnd));
  return Buffer.concat(parts);
}

export function encodeAmf0Values(values: readonly Amf0Value[]): Buffer {
  return Buffer.concat(values.map(encodeAmf0));
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('AMF0: truncated');
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

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  utf8(length: number): string {
    this.need(length);
    const s = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return s;
  }

  properties(): { [key: string]: Amf0Value } {
    const out: { [key: string]: Amf0Value } = {};
    for (;;) {
      const key = this.utf8(this.u16());
      if (key === '' && this.buf[this.pos] === Amf0Marker.ObjectEnd) {
        this.pos++;
        return out;
      }
      out[key] = this.value();
    }
  }

  value(): Amf0Value {
    const marker = this.u8();
    switch (marker) {
      case Amf0Marker.Number: {
        this.need(8);
        const v = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return v;
      }
      case Amf0Marker.Boolean:
        return this.u8() !== 0;
      case Amf0Marker.String:
        return this.utf8(this.u16());
      case Amf0Marker.LongString:
        return this.utf8(this.u32());
      case Amf0Marker.Object:
        return this.properties();
      case Amf0Marker.EcmaArray:
        this.u32();
        return this.properties();
      case Amf0Marker.StrictArray: {
        const n = this.u32();
        const out: Amf0Value[] = [];
        for (let i = 0; i < n; i++) out.push(this.value());
        return out;
      }
      case Amf0Marker.Date: {
        this.need(10);
        const v = this.buf.readDoubleBE(this.pos);
        this.pos += 10;
        return v;
      }
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
        return undefined;
      default:
        throw new Error(`AMF0: unsupported marker 0x${marker.toString(16)}`);
    }
  }
}

/** Decodes every value in the buffer (a command message is a sequence of values). */
export function decodeAmf0Values(buf: Buffer): Amf0Value[] {
  const reader = new Reader(buf);
  const out: Amf0Value[] = [];
  while (reader.pos < buf.length) out.push(reader.value());
  return out;
}
