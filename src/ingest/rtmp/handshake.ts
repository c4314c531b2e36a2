import { createHmac, randomBytes } from 'node:crypto';
import { ProtocolError } from '../../errors.js';

/**
 * The server side of the RTMP handshake: C0 C1 → S0 S1 S2 → C2. Pure and incremental: it
 * is fed bytes in any fragmentation and answers with bytes to send; it never touches a
 * socket.
 *
 * Two variants exist in the wild. The simple one (RTMP spec 5.2) echoes C1 as S2. The
 * digest ("complex", Flash Player 9+) one, sent by FFmpeg, librtmp/OBS and Flash-era
 * encoders, hides an HMAC-SHA256 digest of C1 keyed with the Genuine FP key at a position
 * given by one of two schemes; the server answers with S1 carrying its own digest (Genuine
 * FMS key, same scheme) and an S2 whose last 32 bytes sign the rest of S2 with a key
 * derived from the client's digest. A C1 without a valid digest gets the simple answer.
 */

export const HANDSHAKE_SIZE = 1536;
export const RTMP_VERSION = 3;
const DIGEST_SIZE = 32;

const KEY_TAIL = Buffer.from([
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
]);
/** "Genuine Adobe Flash Player 001" + 32 bytes: the client key; the text part signs C1. */
export const GENUINE_FP_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Player 001'),
  KEY_TAIL,
]);
/** "Genuine Adobe Flash Media Server 001" + 32 bytes: the server key; the text part signs S1. */
export const GENUINE_FMS_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001'),
  KEY_TAIL,
]);
export const GENUINE_FP_KEY_TEXT = GENUINE_FP_KEY.subarray(0, 30);
export const GENUINE_FMS_KEY_TEXT = GENUINE_FMS_KEY.subarray(0, 36);

/** Where the digest sits in a 1536-byte C1/S1. */
export enum DigestScheme {
  /** Digest block first: offset bytes at 8..11, digest at 12 + sum % 728. */
  Scheme0 = 0,
  /** Key block first: offset bytes at 772..775, digest at 776 + sum % 728. */
  Scheme1 = 1,
}

/** Flash Media Server version advertised in a digest S1 (first byte ≥ 3 means "digest"). */
const SERVER_VERSION = Buffer.from([0x04, 0x05, 0x00, 0x01]);

/** Offset of the 4 bytes whose sum places the digest, per scheme. */
const DIGEST_OFFSET_BASE: Readonly<Record<DigestScheme, number>> = {
  [DigestScheme.Scheme0]: 8,
  [DigestScheme.Scheme1]: 772,
};
/** The digest lies within the 764-byte block after the offset bytes: 764 - 4 - 32. */
const DIGEST_POSITIONS = 728;

export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = DIGEST_OFFSET_BASE[scheme];
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % DIGEST_POSITIONS) + base + 4;
}

export function hmacSha256(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** HMAC of a 1536-byte packet without the 32 digest bytes at `offset`. */
export function packetDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return hmacSha256(
    key,
    packet.subarray(0, offset),
    packet.subarray(offset + DIGEST_SIZE, HANDSHAKE_SIZE),
  );
}

/** The scheme under which `packet` carries a valid digest for `key`, or undefined. */
export function findDigest(
  packet: Buffer,
  key: Buffer,
): { scheme: DigestScheme; digest: Buffer } | undefined {
  for (const scheme of [DigestScheme.Scheme0, DigestScheme.Scheme1]) {
    const offset = digestOffset(packet, scheme);
    const expected = packetDigest(packet, offset, key);
    const actual = packet.subarray(offset, offset + DIGEST_SIZE);
    if (expected.equals(actual)) return { scheme, digest: Buffer.from(actual) };
  }
  return undefined;
}

/** Write the digest of `packet` (keyed with `key`) into it, at the scheme's position. */
export function imprintDigest(packet: Buffer, scheme: DigestScheme, key: Buffer): Buffer {
  const offset = digestOffset(packet, scheme);
  const digest = packetDigest(packet, offset, key);
  digest.copy(packet, offset);
  return digest;
}

/** The 32-byte signature that ends a digest-mode S2 (or C2), for the peer's digest. */
export function responseSignature(body: Buffer, peerDigest: Buffer, key: Buffer): Buffer {
  return hmacSha256(hmacSha256(key, peerDigest), body.subarray(0, HANDSHAKE_SIZE - DIGEST_SIZE));
}

export type HandshakeMode = 'simple' | 'digest';

export interface HandshakeStep {
  /** Bytes to send to the client (S0 S1 S2), once. */
  readonly reply?: Buffer;
  /** True once C2 has been received. */
  readonly done: boolean;
  /** Bytes after C2 (the first chunks), only when done. */
  readonly rest?: Buffer;
}

export interface ServerHandshakeOptions {
  /** Source of random bytes (tests make it deterministic). */
  readonly random?: (size: number) => Buffer;
  /** Server uptime in ms for the S1 time field. */
  readonly uptime?: () => number;
}

enum Phase {
  C0C1,
  C2,
  Done,
}

export class ServerHandshake {
  private phase = Phase.C0C1;
  private readonly c0c1 = Buffer.alloc(1 + HANDSHAKE_SIZE);
  private filled = 0;
  private c2Remaining = HANDSHAKE_SIZE;
  private chosenMode: HandshakeMode | undefined;
  private readonly random: (size: number) => Buffer;
  private readonly uptime: () => number;

  constructor(options: ServerHandshakeOptions = {}) {
    this.random = options.random ?? randomBytes;
    const started = Date.now();
    this.uptime = options.uptime ?? (() => Date.now() - started);
  }

  /** Which variant the client used (known after C1). */
  get mode(): HandshakeMode | undefined {
    return this.chosenMode;
  }

  get done(): boolean {
    return this.phase === Phase.Done;
  }

  /** Feed received bytes. Throws ProtocolError on a bad version byte. */
  push(data: Buffer): HandshakeStep {
    let reply: Buffer | undefined;
    let pos = 0;
    if (this.phase === Phase.C0C1) {
      const n = Math.min(data.length, this.c0c1.length - this.filled);
      data.copy(this.c0c1, this.filled, 0, n);
      if (this.filled === 0 && n > 0 && this.c0c1[0] !== RTMP_VERSION) {
        throw new ProtocolError(
          `handshake: unsupported RTMP version ${this.c0c1[0]} (only plain RTMP 3; RTMPE is not supported)`,
        );
      }
      this.filled += n;
      pos = n;
      if (this.filled < this.c0c1.length) return { done: false };
      reply = this.answer(this.c0c1.subarray(1));
      this.phase = Phase.C2;
    }
    if (this.phase === Phase.C2) {
      const n = Math.min(data.length - pos, this.c2Remaining);
      this.c2Remaining -= n;
      pos += n;
      if (this.c2Remaining > 0) return { reply, done: false };
      this.phase = Phase.Done;
      return { reply, done: true, rest: data.subarray(pos) };
    }
    return { done: true, rest: data };
  }

  private answer(c1: Buffer): Buffer {
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    this.random(HANDSHAKE_SIZE - 8).copy(s1, 8);
    s1.writeUInt32BE(this.uptime() >>> 0, 0);

    const clientVersion = c1.readUInt32BE(4);
    const found = clientVersion !== 0 ? findDigest(c1, GENUINE_FP_KEY_TEXT) : undefined;
    if (!found) {
      this.chosenMode = 'simple';
      s1.fill(0, 4, 8);
      c1.copy(s2);
      return out;
    }
    this.chosenMode = 'digest';
    SERVER_VERSION.copy(s1, 4);
    imprintDigest(s1, found.scheme, GENUINE_FMS_KEY_TEXT);
    this.random(HANDSHAKE_SIZE - DIGEST_SIZE).copy(s2, 0);
    responseSignature(s2, found.digest, GENUINE_FMS_KEY).copy(s2, HANDSHAKE_SIZE - DIGEST_SIZE);
    return out;
  }
}
