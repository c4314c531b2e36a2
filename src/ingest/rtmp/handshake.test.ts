import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../errors.js';
import { HANDSHAKE_SIZE, ServerHandshake, type HandshakeStep } from './handshake.js';

// An independent implementation of the digest scheme as FFmpeg's rtmpproto.c does it, so the
// server is checked against the algorithm rather than against itself.
const tail = Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex');
const FP_TEXT = Buffer.from('Genuine Adobe Flash Player 001');
const FMS_TEXT = Buffer.from('Genuine Adobe Flash Media Server 001');
const FMS_FULL = Buffer.concat([FMS_TEXT, tail]);

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();
/** ff_rtmp_calc_digest_pos(buf, off, 728, off + 4) */
const digestPos = (buf: Buffer, off: number): number =>
  ((buf[off]! + buf[off + 1]! + buf[off + 2]! + buf[off + 3]!) % 728) + off + 4;
const withoutDigest = (buf: Buffer, pos: number): Buffer =>
  Buffer.concat([buf.subarray(0, pos), buf.subarray(pos + 32)]);

/** A C1 as FFmpeg builds it (scheme base 8) or as the other scheme places it (base 772). */
function clientC1(base: 8 | 772 | 'simple'): { c1: Buffer; digest?: Buffer } {
  const c1 = randomBytes(HANDSHAKE_SIZE);
  c1.writeUInt32BE(0, 0);
  if (base === 'simple') {
    c1.writeUInt32BE(0, 4);
    return { c1 };
  }
  c1.writeUInt32BE(0x80000702, 4);
  const pos = digestPos(c1, base);
  const digest = hmac(FP_TEXT, withoutDigest(c1, pos));
  digest.copy(c1, pos);
  return { c1, digest };
}

function run(hs: ServerHandshake, bytes: Buffer, cuts: number[]): HandshakeStep[] {
  const steps: HandshakeStep[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    steps.push(hs.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  return steps;
}

describe('server handshake', () => {
  it('simple: S0 = 3, S1 version zero, S2 echoes C1; rest after C2 is returned', () => {
    const { c1 } = clientC1('simple');
    const hs = new ServerHandshake();
    const step = hs.push(Buffer.concat([Buffer.of(3), c1]));
    assert.equal(step.done, false);
    const reply = step.reply!;
    assert.equal(reply.length, 1 + 2 * HANDSHAKE_SIZE);
    assert.equal(reply[0], 3);
    assert.equal(reply.readUInt32BE(1 + 4), 0);
    assert.deepEqual(reply.subarray(1 + HANDSHAKE_SIZE), c1);
    assert.equal(hs.mode, 'simple');
    const end = hs.push(Buffer.concat([randomBytes(HANDSHAKE_SIZE), Buffer.from('chunk')]));
    assert.equal(end.done, true);
    assert.equal(end.reply, undefined);
    assert.equal(end.rest!.toString(), 'chunk');
  });

  for (const base of [8, 772] as const) {
    it(`digest, scheme with offset base ${base}: S1 and S2 pass FFmpeg's client checks`, () => {
      const { c1, digest } = clientC1(base);
      const hs = new ServerHandshake();
      const reply = hs.push(Buffer.concat([Buffer.of(3), c1])).reply!;
      assert.equal(hs.mode, 'digest');
      const s1 = reply.subarray(1, 1 + HANDSHAKE_SIZE);
      const s2 = reply.subarray(1 + HANDSHAKE_SIZE);
      assert.ok(s1[4]! >= 3, 'server version signals the digest handshake');
      // rtmp_validate_digest(serverdata + 1, 772) first, then 8: one of them must match.
      const valid = [772, 8].filter((off) => {
        const pos = digestPos(s1, off);
        return hmac(FMS_TEXT, withoutDigest(s1, pos)).equals(s1.subarray(pos, pos + 32));
      });
      assert.deepEqual(valid, [base]);
      // S2: HMAC(HMAC(FMS key, client digest), S2 without its last 32 bytes).
      const key = hmac(FMS_FULL, digest!);
      const signature = hmac(key, s2.subarray(0, HANDSHAKE_SIZE - 32));
      assert.deepEqual(s2.subarray(HANDSHAKE_SIZE - 32), signature);
    });
  }

  it('a C1 with a version but no valid digest gets the simple answer', () => {
    const { c1 } = clientC1(8);
    c1[100] = c1[100]! ^ 0xff;
    c1[900] = c1[900]! ^ 0xff;
    const hs = new ServerHandshake();
    const reply = hs.push(Buffer.concat([Buffer.of(3), c1])).reply!;
    assert.equal(hs.mode, 'simple');
    assert.deepEqual(reply.subarray(1 + HANDSHAKE_SIZE), c1);
  });

  it('gives the same answer at every fragmentation boundary', () => {
    const { c1 } = clientC1(8);
    const random = (n: number): Buffer => Buffer.alloc(n, 7);
    const bytes = Buffer.concat([Buffer.of(3), c1, randomBytes(HANDSHAKE_SIZE), Buffer.from('ab')]);
    const whole = run(new ServerHandshake({ random, uptime: () => 5 }), bytes, []);
    const expected = whole[0]!.reply!;
    for (let cut = 0; cut <= bytes.length; cut += cut < 1600 ? 1 : 7) {
      const steps = run(new ServerHandshake({ random, uptime: () => 5 }), bytes, [cut]);
      const replies = steps.filter((s) => s.reply);
      assert.equal(replies.length, 1, `cut ${cut}`);
      assert.deepEqual(replies[0]!.reply, expected, `cut ${cut}`);
      const last = steps[steps.length - 1]!;
      assert.equal(last.done, true);
      const rest = Buffer.concat(steps.map((s) => s.rest ?? Buffer.alloc(0)));
      assert.equal(rest.toString(), 'ab', `cut ${cut}`);
    }
  });

  it('byte by byte', () => {
    const { c1 } = clientC1(772);
    const bytes = Buffer.concat([Buffer.of(3), c1, randomBytes(HANDSHAKE_SIZE)]);
    const hs = new ServerHandshake();
    let replies = 0;
    for (let i = 0; i < bytes.length; i++) {
      const s = hs.push(bytes.subarray(i, i + 1));
      if (s.reply) replies++;
      assert.equal(s.done, i === bytes.length - 1);
    }
    assert.equal(replies, 1);
    assert.equal(hs.mode, 'digest');
  });

  it('rejects a wrong version byte at once (RTMPE, HTTP, TLS to the plain port)', () => {
    for (const first of [6, 0x47, 0x16]) {
      assert.throws(() => new ServerHandshake().push(Buffer.of(first)), ProtocolError);
    }
  });
});
