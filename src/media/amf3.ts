import { ProtocolError } from '../errors.js';
import type { AmfObject, AmfValue } from './amf0.js';

/** Deepest nesting of objects/arrays accepted (AMF0 and AMF3). */
export const AMF_MAX_DEPTH = 32;

/** Most values decoded from one buffer: bounds the memory a hostile message can cost. */
export const AMF_MAX_VALUES = 100_000;

/** Set `obj[key] = value` as an own property, even for keys like `__proto__`. */
export function setOwn(obj: AmfObject, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/**
 * Minimal AMF3 decoding: enough for values wrapped by the AMF0 AVM+ marker (0x11) in AMF3
 * command and data messages. Externalizable objects, vectors and dictionaries are refused.
 */
export enum Amf3Marker {
  Undefined = 0x00,
  Null = 0x01,
  False = 0x02,
  True = 0x03,
  Integer = 0x04,
  Double = 0x05,
  String = 0x06,
  XmlDocument = 0x07,
  Date = 0x08,
  Array = 0x09,
  Object = 0x0a,
  Xml = 0x0b,
  ByteArray = 0x0c,
}

interface Traits {
  readonly dynamic: boolean;
  readonly sealed: readonly string[];
}

class Amf3Reader {
  private readonly strings: string[] = [];
  private readonly objects: (AmfValue | undefined)[] = [];
  private readonly traits: Traits[] = [];

  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtocolError(`AMF3: truncated value at offset ${this.pos}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  /** Variable-length unsigned 29-bit integer. */
  private u29(): number {
    let v = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8();
      v = (v << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) return v;
    }
    return ((v << 8) | this.u8()) >>> 0;
  }

  private f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  private string(): string {
    const ref = this.u29();
    if ((ref & 1) === 0) {
      const s = this.strings[ref >> 1];
      if (s === undefined) throw new ProtocolError(`AMF3: bad string reference ${ref >> 1}`);
      return s;
    }
    const len = ref >>> 1;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    if (len > 0) this.strings.push(s);
    return s;
  }

  private objectRef(ref: number): AmfValue {
    const v = this.objects[ref >> 1];
    if (v === undefined) throw new ProtocolError(`AMF3: bad or cyclic reference ${ref >> 1}`);
    return v;
  }

  private count = 0;

  value(depth: number): AmfValue {
    if (depth > AMF_MAX_DEPTH) throw new ProtocolError('AMF3: nesting too deep');
    if (++this.count > AMF_MAX_VALUES) throw new ProtocolError('AMF3: too many values');
    const marker = this.u8();
    switch (marker as Amf3Marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const v = this.u29();
        return v & 0x10000000 ? v - 0x20000000 : v; // sign-extend 29 bits
      }
      case Amf3Marker.Double:
        return this.f64();
      case Amf3Marker.String:
        return this.string();
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml:
      case Amf3Marker.ByteArray:
      case Amf3Marker.Date:
        return this.referenceable(marker as Amf3Marker);
      case Amf3Marker.Array:
        return this.array(depth);
      case Amf3Marker.Object:
        return this.object(depth);
      default:
        throw new ProtocolError(`AMF3: unsupported marker 0x${marker.toString(16)}`);
    }
  }

  private referenceable(marker: Amf3Marker): AmfValue {
    const ref = this.u29();
    if ((ref & 1) === 0) return this.objectRef(ref);
    let v: AmfValue;
    if (marker === Amf3Marker.Date) {
      v = new Date(this.f64());
    } else {
      const len = ref >>> 1;
      this.need(len);
      const bytes = this.buf.subarray(this.pos, this.pos + len);
      this.pos += len;
      v = marker === Amf3Marker.ByteArray ? Buffer.from(bytes) : bytes.toString('utf8');
    }
    this.objects.push(v);
    return v;
  }

  private array(depth: number): AmfValue {
    const ref = this.u29();
    if ((ref & 1) === 0) return this.objectRef(ref);
    const dense = ref >>> 1;
    const slot = this.objects.length;
    this.objects.push(undefined);
    const assoc: AmfObject = {};
    let hasAssoc = false;
    for (;;) {
      const key = this.string();
      if (key === '') break;
      hasAssoc = true;
      setOwn(assoc, key, this.value(depth + 1));
    }
    if (dense > this.buf.length - this.pos) {
      throw new ProtocolError(`AMF3: array count ${dense} exceeds the data`);
    }
    const arr: AmfValue[] = [];
    for (let i = 0; i < dense; i++) arr.push(this.value(depth + 1));
    let result: AmfValue = arr;
    if (hasAssoc) {
      arr.forEach((v, i) => setOwn(assoc, String(i), v));
      result = assoc;
    }
    this.objects[slot] = result;
    return result;
  }

  private object(depth: number): AmfValue {
    const ref = this.u29();
    if ((ref & 1) === 0) return this.objectRef(ref);
    let traits: Traits;
    if ((ref & 2) === 0) {
      const t = this.traits[ref >>> 2];
      if (!t) throw new ProtocolError(`AMF3: bad traits reference ${ref >>> 2}`);
      traits = t;
    } else {
      if (ref & 4) throw new ProtocolError('AMF3: externalizable objects are not supported');
      const count = ref >>> 4;
      if (count > this.buf.length - this.pos) {
        throw new ProtocolError(`AMF3: sealed member count ${count} exceeds the data`);
      }
      this.string(); // class name, not kept
      const sealed: string[] = [];
      for (let i = 0; i < count; i++) sealed.push(this.string());
      traits = { dynamic: (ref & 8) !== 0, sealed };
      this.traits.push(traits);
    }
    const obj: AmfObject = {};
    const slot = this.objects.length;
    this.objects.push(undefined);
    for (const name of traits.sealed) setOwn(obj, name, this.value(depth + 1));
    if (traits.dynamic) {
      for (;;) {
        const key = this.string();
        if (key === '') break;
        setOwn(obj, key, this.value(depth + 1));
      }
    }
    this.objects[slot] = obj;
    return obj;
  }
}

/** Decode one AMF3 value at `offset` (just after an AMF0 0x11 marker). */
export function decodeAmf3Value(
  buf: Buffer,
  offset: number,
  depth = 0,
): { value: AmfValue; offset: number } {
  const r = new Amf3Reader(buf, offset);
  const value = r.value(depth);
  return { value, offset: r.pos };
}
