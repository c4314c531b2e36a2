import { ProtocolError } from '../errors.js';
import { AMF_MAX_DEPTH, AMF_MAX_VALUES, decodeAmf3Value, setOwn } from './amf3.js';

export { AMF_MAX_DEPTH, AMF_MAX_VALUES };

/**
 * AMF0 (Action Message Format 0): the encoding of RTMP commands and metadata. Pure: works on
 * Buffers only. Malformed input raises ProtocolError; nesting depth is bounded and every
 * length is checked against the bytes actually present before anything is allocated.
 */

/** A decoded AMF value. Objects and ECMA arrays both decode to plain objects. */
export type AmfValue =
  number | boolean | string | null | undefined | Date | Buffer | AmfValue[] | AmfObject;

export interface AmfObject {
  [key: string]: AmfValue;
}

export enum Amf0Marker {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  MovieClip = 0x04,
  Null = 0x05,
  Undefined = 0x06,
  Reference = 0x07,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
  Unsupported = 0x0d,
  RecordSet = 0x0e,
  XmlDocument = 0x0f,
  TypedObject = 0x10,
  /** The value that follows is AMF3 (AVM+). */
  AvmPlus = 0x11,
}

class Amf0Reader {
  pos: number;
  /** Complex values in decode order, for 0x07 references; undefined while still decoding. */
  private readonly refs: (AmfValue | undefined)[] = [];

  constructor(
    private readonly buf: Buffer,
    offset: number,
  ) {
    this.pos = offset;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ProtocolError(`AMF0: truncated value at offset ${this.pos}`);
    }
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

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  utf8(len: number): string {
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  private count = 0;

  value(depth: number): AmfValue {
    if (depth > AMF_MAX_DEPTH) throw new ProtocolError('AMF0: nesting too deep');
    if (++this.count > AMF_MAX_VALUES) throw new ProtocolError('AMF0: too many values');
    const marker = this.u8();
    switch (marker as Amf0Marker) {
      case Amf0Marker.Number:
        return this.f64();
      case Amf0Marker.Boolean:
        return this.u8() !== 0;
      case Amf0Marker.String:
        return this.utf8(this.u16());
      case Amf0Marker.LongString:
      case Amf0Marker.XmlDocument:
        return this.utf8(this.u32());
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.Object:
        return this.properties(depth, false);
      case Amf0Marker.TypedObject:
        this.utf8(this.u16()); // class name, not kept
        return this.properties(depth, false);
      case Amf0Marker.EcmaArray:
        this.u32(); // count is only a hint; encoders get it wrong, read to the end marker
        return this.properties(depth, true);
      case Amf0Marker.StrictArray:
        return this.strictArray(depth);
      case Amf0Marker.Date: {
        const ms = this.f64();
        this.u16(); // time zone, reserved
        return new Date(ms);
      }
      case Amf0Marker.Reference: {
        const index = this.u16();
        const target = this.refs[index];
        if (target === undefined) {
          throw new ProtocolError(`AMF0: bad or cyclic reference ${index}`);
        }
        return target;
      }
      case Amf0Marker.AvmPlus: {
        const res = decodeAmf3Value(this.buf, this.pos, depth + 1);
        this.pos = res.offset;
        return res.value;
      }
      case Amf0Marker.ObjectEnd:
        throw new ProtocolError('AMF0: unexpected object end');
      default:
        throw new ProtocolError(`AMF0: unsupported marker 0x${marker.toString(16)}`);
    }
  }

  private properties(depth: number, ecma: boolean): AmfObject {
    const obj: AmfObject = {};
    const slot = this.refs.length;
    this.refs.push(undefined);
    for (;;) {
      // Some encoders end an ECMA array at the end of the buffer without the end marker.
      if (ecma && this.pos === this.buf.length) break;
      const key = this.utf8(this.u16());
      if (key === '') {
        const end = this.u8();
        if (end !== (Amf0Marker.ObjectEnd as number)) {
          throw new ProtocolError('AMF0: empty property name without object end');
        }
        break;
      }
      setOwn(obj, key, this.value(depth + 1));
    }
    this.refs[slot] = obj;
    return obj;
  }

  private strictArray(depth: number): AmfValue[] {
    const count = this.u32();
    // Every element takes at least one byte: a count beyond the remaining bytes is a lie.
    if (count > this.buf.length - this.pos) {
      throw new ProtocolError(`AMF0: strict array count ${count} exceeds the data`);
    }
    const arr: AmfValue[] = [];
    const slot = this.refs.length;
    this.refs.push(undefined);
    for (let i = 0; i < count; i++) arr.push(this.value(depth + 1));
    this.refs[slot] = arr;
    return arr;
  }
}

/** Decode one AMF0 value at `offset`; returns it and the offset after it. */
export function decodeAmf0Value(buf: Buffer, offset = 0): { value: AmfValue; offset: number } {
  const r = new Amf0Reader(buf, offset);
  const value = r.value(0);
  return { value, offset: r.pos };
}

/** Decode consecutive AMF0 values until the end of `buf` (a command or data message body). */
export function decodeAmf0(buf: Buffer, offset = 0): AmfValue[] {
  const r = new Amf0Reader(buf, offset);
  const out: AmfValue[] = [];
  while (r.pos < buf.length) out.push(r.value(0));
  return out;
}

// ---------------------------------------------------------------------------------------
// Encoding

function encodeValue(v: AmfValue, parts: Buffer[], depth: number): void {
  if (depth > AMF_MAX_DEPTH) throw new ProtocolError('AMF0: nesting too deep to encode');
  if (v === null) {
    parts.push(Buffer.of(Amf0Marker.Null));
  } else if (v === undefined) {
    parts.push(Buffer.of(Amf0Marker.Undefined));
  } else if (typeof v === 'number') {
    const b = Buffer.allocUnsafe(9);
    b[0] = Amf0Marker.Number;
    b.writeDoubleBE(v, 1);
    parts.push(b);
  } else if (typeof v === 'boolean') {
    parts.push(Buffer.of(Amf0Marker.Boolean, v ? 1 : 0));
  } else if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    if (s.length <= 0xffff) {
      const h = Buffer.allocUnsafe(3);
      h[0] = Amf0Marker.String;
      h.writeUInt16BE(s.length, 1);
      parts.push(h, s);
    } else {
      const h = Buffer.allocUnsafe(5);
      h[0] = Amf0Marker.LongString;
      h.writeUInt32BE(s.length, 1);
      parts.push(h, s);
    }
  } else if (v instanceof Date) {
    const b = Buffer.alloc(11);
    b[0] = Amf0Marker.Date;
    b.writeDoubleBE(v.getTime(), 1);
    parts.push(b);
  } else if (Array.isArray(v)) {
    const h = Buffer.allocUnsafe(5);
    h[0] = Amf0Marker.StrictArray;
    h.writeUInt32BE(v.length, 1);
    parts.push(h);
    for (const item of v) encodeValue(item, parts, depth + 1);
  } else if (Buffer.isBuffer(v)) {
    throw new ProtocolError('AMF0: byte arrays cannot be encoded in AMF0');
  } else {
    parts.push(Buffer.of(Amf0Marker.Object));
    for (const key of Object.keys(v)) {
      const k = Buffer.from(key, 'utf8');
      if (k.length === 0 || k.length > 0xffff) {
        throw new ProtocolError('AMF0: property name must be 1..65535 bytes');
      }
      const kh = Buffer.allocUnsafe(2);
      kh.writeUInt16BE(k.length, 0);
      parts.push(kh, k);
      encodeValue(v[key], parts, depth + 1);
    }
    parts.push(Buffer.of(0, 0, Amf0Marker.ObjectEnd));
  }
}

/** Encode values one after another (e.g. a command: name, transaction id, object, args). */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) encodeValue(v, parts, 0);
  return Buffer.concat(parts);
}
