import { MediaFormatError } from '../errors.js';
import { AvcNalType } from '../media/h264-types.js';
import { HevcNalType } from '../media/hevc-types.js';
import { lengthPrefixedNalus } from '../media/nal.js';
import { parseCodecRecord } from '../media/param-sets.js';
import type { AccessUnit, CodecConfig } from '../stream/stream-types.js';
import {
  buildAvcRecord,
  buildHevcRecord,
  collectParameterSets,
  isAnnexB,
  LENGTH_SIZE,
  nalType,
  recordParameterSets,
  splitAnnexB,
  toLengthPrefixed,
  withFourByteLengths,
  type ParameterSets,
} from './pull-annexb.js';
import { BadSourceError, UnsupportedSourceError } from './pull-errors.js';

/** What a pulled source may send at most. */
export interface PulledVideoLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** Largest compressed picture, bytes. */
  readonly maxPacketBytes: number;
}

/** One demuxed video packet, timestamps already in milliseconds. */
export interface DemuxedVideoPacket {
  readonly data: Buffer;
  readonly dts: number;
  readonly pts: number;
  /** New codec extradata announced with this packet (FFmpeg's NEW_EXTRADATA side data). */
  readonly newExtradata?: Buffer;
}

export interface ConvertedPacket {
  /** A new codec configuration, to hand to the hub before `unit`. */
  readonly config?: CodecConfig;
  /** Undefined while there is no codec configuration yet (the packet is dropped). */
  readonly unit?: AccessUnit;
}

export type PulledCodec = 'h264' | 'hevc';

/**
 * Turns one demuxed H.264 / HEVC stream into what the hub carries, without decoding: a codec
 * configuration with an avcC / hvcC record and access units of 4-byte length-prefixed NAL
 * units with a keyframe flag. Works from either framing:
 *
 * - record framing (FLV/RTMP, MP4): the stream's extradata is the record; NAL lengths of 1–4
 *   bytes are re-framed to 4;
 * - Annex-B framing (MPEG-TS for HLS and SRT, RTSP): parameter sets come in band (or as
 *   Annex-B extradata, e.g. from an SDP); a record is built from them and rebuilt when they
 *   change; start codes become 4-byte lengths.
 *
 * The keyframe flag is set for IDR (H.264) / IRAP (HEVC) pictures only, found by the NAL
 * types: those are the pictures the capture engine can decode on their own.
 *
 * Errors: MediaFormatError-based problems become BadSourceError; a picture larger than the
 * limits UnsupportedSourceError.
 */
export class PulledVideo {
  readonly codec: PulledCodec;
  /** Packets dropped because no codec configuration was known yet. */
  dropped = 0;
  readonly #limits: PulledVideoLimits;
  #annexB: boolean | undefined;
  #lengthSize = LENGTH_SIZE;
  #sets: ParameterSets = { vps: [], sps: [], pps: [] };
  #config: CodecConfig | undefined;
  #pending: CodecConfig | undefined;

  constructor(codec: PulledCodec, extradata: Buffer | undefined, limits: PulledVideoLimits) {
    this.codec = codec;
    this.#limits = limits;
    if (extradata && extradata.length > 0) this.#guard(() => this.#setExtradata(extradata));
  }

  get config(): CodecConfig | undefined {
    return this.#config;
  }

  convert(packet: DemuxedVideoPacket): ConvertedPacket {
    return this.#guard(() => this.#convert(packet));
  }

  #convert(p: DemuxedVideoPacket): ConvertedPacket {
    if (p.newExtradata && p.newExtradata.length > 0) this.#setExtradata(p.newExtradata);
    if (p.data.length > this.#limits.maxPacketBytes) {
      throw new BadSourceError(
        `a ${this.codec} picture of ${p.data.length} bytes exceeds the limit of ${this.#limits.maxPacketBytes} bytes`,
      );
    }
    this.#annexB ??= isAnnexB(p.data);
    const nals = this.#annexB
      ? splitAnnexB(p.data)
      : [...lengthPrefixedNalus(p.data, this.#lengthSize)];
    this.#mergeSets(collectParameterSets(this.codec, nals));
    const data =
      !this.#annexB && this.#lengthSize === LENGTH_SIZE ? p.data : toLengthPrefixed(nals);

    const config = this.#pending;
    this.#pending = undefined;
    if (!this.#config) {
      this.dropped++;
      return {};
    }
    const unit: AccessUnit = { dts: p.dts, pts: p.pts, keyframe: this.#hasIrap(nals), data };
    return config ? { config, unit } : { unit };
  }

  #hasIrap(nals: readonly Buffer[]): boolean {
    for (const nal of nals) {
      if (nal.length === 0) continue;
      const type = nalType(this.codec, nal);
      if (this.codec === 'h264' ? type === AvcNalType.Idr : isIrap(type)) return true;
    }
    return false;
  }

  #setExtradata(extradata: Buffer): void {
    if (isAnnexB(extradata)) {
      this.#annexB ??= true;
      this.#mergeSets(collectParameterSets(this.codec, splitAnnexB(extradata)));
      return;
    }
    const { sets, lengthSize } = recordParameterSets(this.codec, extradata);
    this.#annexB = false;
    this.#lengthSize = lengthSize;
    this.#sets = sets;
    this.#publish(withFourByteLengths(this.codec, extradata));
  }

  /** Parameter sets seen in band replace the known ones of their kind. */
  #mergeSets(found: ParameterSets): void {
    if (found.vps.length + found.sps.length + found.pps.length === 0) return;
    const next: ParameterSets = {
      vps: found.vps.length > 0 ? found.vps : this.#sets.vps,
      sps: found.sps.length > 0 ? found.sps : this.#sets.sps,
      pps: found.pps.length > 0 ? found.pps : this.#sets.pps,
    };
    if (sameSets(next, this.#sets) && this.#config) return;
    this.#sets = next;
    const { vps, sps, pps } = next;
    if (sps.length === 0 || pps.length === 0 || (this.codec === 'hevc' && vps.length === 0)) {
      return; // not complete yet
    }
    this.#publish(
      this.codec === 'h264' ? buildAvcRecord(sps, pps) : buildHevcRecord(vps, sps, pps),
    );
  }

  #publish(record: Buffer): void {
    if (this.#config && this.#config.record.equals(record)) return;
    const info = parseCodecRecord(this.codec, record);
    const { maxWidth, maxHeight } = this.#limits;
    if (info.width > maxWidth || info.height > maxHeight) {
      throw new UnsupportedSourceError(
        `the picture size ${info.width}x${info.height} exceeds the limit of ${maxWidth}x${maxHeight}`,
      );
    }
    this.#config = {
      codec: this.codec,
      record,
      width: info.width,
      height: info.height,
      profile: info.profile,
    };
    this.#pending = this.#config;
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof MediaFormatError) {
        throw new BadSourceError(`broken ${this.codec} stream: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}

function isIrap(type: number): boolean {
  return type >= HevcNalType.IrapFirst && type <= HevcNalType.IrapLast;
}

function sameList(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}

function sameSets(a: ParameterSets, b: ParameterSets): boolean {
  return sameList(a.vps, b.vps) && sameList(a.sps, b.sps) && sameList(a.pps, b.pps);
}
