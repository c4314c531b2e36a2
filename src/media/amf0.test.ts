import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../errors.js';
import {
  AMF_MAX_DEPTH,
  Amf0Marker,
  decodeAmf0,
  decodeAmf0Value,
  encodeAmf0,
  type AmfValue,
} from './amf0.js';

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (s: string): Buffer => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);
const num = (n: number): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = Amf0Marker.Number;
  b.writeDoubleBE(n, 1);
  return b;
};
const END = Buffer.of(0, 0, Amf0Marker.ObjectEnd);

describe('amf0 round trips', () => {
  const cases: [string, AmfValue][] = [
    ['number', 42.5],
    ['negative zero and large', -1e300],
    ['true', true],
    ['false', false],
    ['empty string', ''],
    ['utf-8 string', 'grüße 直播'],
    ['null', null],
    ['undefined', undefined],
    ['date', new Date(1_763_712_000_123)],
    ['strict array', [1, 'two', null, [true]]],
    ['object', { app: 'live', tcUrl: 'rtmp://h/live', nested: { a: 1, b: [1, 2] } }],
  ];
  for (const [name, value] of cases) {
    it(name, () => {
      assert.deepEqual(decodeAmf0(encodeAmf0(value)), [value]);
    });
  }

  it('a long string (> 65535 bytes) uses the long string marker', () => {
    const s = 'x'.repeat(70_000);
    const enc = encodeAmf0(s);
    assert.equal(enc[0], Amf0Marker.LongString);
    assert.deepEqual(decodeAmf0(enc), [s]);
  });

  it('a command: several values in one buffer', () => {
    const values: AmfValue[] = ['connect', 1, { app: 'live' }, null, 'extra'];
    assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
  });

  it('decodeAmf0Value returns the offset after the value', () => {
    const buf = encodeAmf0('a', 2);
    const first = decodeAmf0Value(buf);
    assert.equal(first.value, 'a');
    assert.equal(decodeAmf0Value(buf, first.offset).value, 2);
  });

  it('a "__proto__" key is an own property, not the prototype', () => {
    const buf = Buffer.concat([Buffer.of(Amf0Marker.Object), str('__proto__'), num(1), END]);
    const [obj] = decodeAmf0(buf) as [Record<string, unknown>];
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, 1);
  });
});

describe('amf0 decoding of what encoders send', () => {
  it('ECMA array (onMetaData), with a wrong count', () => {
    const buf = Buffer.concat([
      Buffer.of(Amf0Marker.EcmaArray),
      u32(99),
      str('width'),
      num(320),
      str('height'),
      num(240),
      END,
    ]);
    assert.deepEqual(decodeAmf0(buf), [{ width: 320, height: 240 }]);
  });

  it('ECMA array missing its end marker at the end of the buffer', () => {
    const buf = Buffer.concat([Buffer.of(Amf0Marker.EcmaArray), u32(1), str('w'), num(1)]);
    assert.deepEqual(decodeAmf0(buf), [{ w: 1 }]);
  });

  it('typed object, unsupported, xml document', () => {
    const buf = Buffer.concat([
      Buffer.of(Amf0Marker.TypedObject),
      str('Klass'),
      str('a'),
      num(1),
      END,
      Buffer.of(Amf0Marker.Unsupported),
      Buffer.of(Amf0Marker.XmlDocument),
      u32(3),
      Buffer.from('<a>'),
    ]);
    assert.deepEqual(decodeAmf0(buf), [{ a: 1 }, undefined, '<a>']);
  });

  it('a reference resolves to an earlier complex value', () => {
    const buf = Buffer.concat([
      Buffer.of(Amf0Marker.StrictArray),
      u32(2),
      Buffer.of(Amf0Marker.Object),
      str('k'),
      num(7),
      END,
      Buffer.of(Amf0Marker.Reference),
      u16(1),
    ]);
    const [arr] = decodeAmf0(buf) as [AmfValue[]];
    assert.deepEqual(arr, [{ k: 7 }, { k: 7 }]);
  });

  it('AVM+ switch: AMF3 scalars, strings with references, arrays and objects', () => {
    const amf3 = Buffer.concat([
      Buffer.of(Amf0Marker.AvmPlus, 0x09, 0x07), // array, dense count 3
      Buffer.of(0x03, 0x6b, 0x04, 0x05), // assoc "k" = int 5
      Buffer.of(0x01), // end of assoc part
      Buffer.of(0x04, 0xff, 0xff, 0xff, 0xff), // int -1
      Buffer.of(0x06, 0x07, 0x61, 0x62, 0x63), // "abc"
      Buffer.of(0x06, 0x02), // string reference 1 ("abc"; 0 is "k")
    ]);
    const [v] = decodeAmf0(amf3);
    assert.deepEqual(v, { k: 5, '0': -1, '1': 'abc', '2': 'abc' });

    const obj = Buffer.concat([
      Buffer.of(Amf0Marker.AvmPlus, 0x0a, 0x1b, 0x01), // dynamic object, 1 sealed, anonymous
      Buffer.of(0x09, 0x63, 0x6f, 0x64, 0x65), // sealed member "code"
      Buffer.of(0x06, 0x05, 0x6f, 0x6b), // "ok"
      Buffer.of(0x03, 0x78, 0x05), // dynamic "x" = double
      Buffer.alloc(8),
      Buffer.of(0x01), // end of dynamic members
      Buffer.of(Amf0Marker.AvmPlus, 0x03), // true
      Buffer.of(Amf0Marker.AvmPlus, 0x01), // null
    ]);
    assert.deepEqual(decodeAmf0(obj), [{ code: 'ok', x: 0 }, true, null]);
  });
});

describe('amf0 malformed input', () => {
  const bad: [string, Buffer][] = [
    ['truncated number', Buffer.of(Amf0Marker.Number, 1, 2)],
    ['truncated string', Buffer.concat([Buffer.of(Amf0Marker.String), u16(10), Buffer.from('ab')])],
    ['unknown marker', Buffer.of(0x42)],
    ['stray object end', Buffer.of(Amf0Marker.ObjectEnd)],
    ['object without end', Buffer.concat([Buffer.of(Amf0Marker.Object), str('a'), num(1)])],
    ['empty key without end marker', Buffer.concat([Buffer.of(Amf0Marker.Object), u16(0), num(1)])],
    [
      'strict array count larger than the data',
      Buffer.concat([Buffer.of(Amf0Marker.StrictArray), u32(0xffffffff)]),
    ],
    [
      'long string length larger than the data',
      Buffer.concat([Buffer.of(Amf0Marker.LongString), u32(0x7fffffff)]),
    ],
    ['reference to nothing', Buffer.concat([Buffer.of(Amf0Marker.Reference), u16(3)])],
    [
      'cyclic reference',
      Buffer.concat([
        Buffer.of(Amf0Marker.Object),
        str('self'),
        Buffer.of(Amf0Marker.Reference),
        u16(0),
        END,
      ]),
    ],
    ['AMF3 truncated', Buffer.of(Amf0Marker.AvmPlus, 0x06, 0x41)],
    ['AMF3 externalizable', Buffer.of(Amf0Marker.AvmPlus, 0x0a, 0x07, 0x01)],
    ['AMF3 unknown marker', Buffer.of(Amf0Marker.AvmPlus, 0x20)],
  ];
  for (const [name, buf] of bad) {
    it(name, () => {
      assert.throws(() => decodeAmf0(buf), ProtocolError);
    });
  }

  it('nesting deeper than the limit', () => {
    const depth = AMF_MAX_DEPTH + 5;
    const parts: Buffer[] = [];
    for (let i = 0; i < depth; i++) parts.push(Buffer.of(Amf0Marker.StrictArray), u32(1));
    parts.push(Buffer.of(Amf0Marker.Null));
    assert.throws(() => decodeAmf0(Buffer.concat(parts)), /too deep/);
  });

  it('too many values in one buffer', () => {
    const buf = Buffer.concat([
      Buffer.of(Amf0Marker.StrictArray),
      u32(200_000),
      Buffer.alloc(200_000, Amf0Marker.Null),
    ]);
    assert.throws(() => decodeAmf0(buf), /too many values/);
  });
});
