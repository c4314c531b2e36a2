import { MediaFormatError } from '../errors.js';
import type { ParameterSetInfo } from './flv-types.js';
import { checkSize } from './avc.js';
import { BitReader } from './bit-reader.js';
import { ByteReader } from './byte-reader.js';

/**
 * AV1: the AV1CodecConfigurationRecord (av1C, AV1-ISOBMFF 2.3.3), OBU framing and the
 * sequence header OBU (AV1 spec 5.5) as far as max_frame_width/height.
 */

/** obu_type values (AV1 spec 6.2.2). */
export enum Av1ObuType {
  SequenceHeader = 1,
  TemporalDelimiter = 2,
  FrameHeader = 3,
  TileGroup = 4,
  Metadata = 5,
  Frame = 6,
  RedundantFrameHeader = 7,
  TileList = 8,
  Padding = 15,
}

/** seq_profile values (AV1 spec annex A). */
export enum Av1Profile {
  Main = 0,
  High = 1,
  Professional = 2,
}

/** frame_type values (AV1 spec 6.8.2). */
export enum Av1FrameType {
  Key = 0,
  Inter = 1,
  IntraOnly = 2,
  Switch = 3,
}

const RECORD = 'AV1CodecConfigurationRecord';
const RECORD_HEADER_SIZE = 4;
/** av1C byte 0: marker (1) and version (1). */
const RECORD_MARKER_VERSION = 0x81;

export interface Obu {
  readonly type: Av1ObuType;
  /** The OBU payload (after header and size), a view. */
  readonly payload: Buffer;
}

/** Split low-overhead OBUs (AV1 spec 5.3); an OBU without a size field runs to the end. */
export function* readObus(data: Buffer): Generator<Obu> {
  const r = new ByteReader(data, 'AV1 OBU');
  while (r.remaining > 0) {
    const header = r.u8();
    if (header & 0x80) throw new MediaFormatError('AV1 OBU: forbidden bit set');
    const type = (header >> 3) & 0x0f;
    if (header & 0x04) r.skip(1); // obu_extension_header
    const size = header & 0x02 ? readLeb128(r) : r.remaining;
    yield { type, payload: r.bytes(size) };
  }
}

function readLeb128(r: ByteReader): number {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = r.u8();
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return value;
  }
  throw new MediaFormatError('AV1 OBU: leb128 size longer than 8 bytes');
}

/** Size and profile from an av1C record: its sequence header OBU, else (0, 0). */
export function parseAv1Record(record: Buffer): ParameterSetInfo {
  if (record.length < RECORD_HEADER_SIZE) {
    throw new MediaFormatError(`${RECORD}: truncated (${record.length} bytes)`);
  }
  if (record[0] !== RECORD_MARKER_VERSION) {
    throw new MediaFormatError(`${RECORD}: bad marker/version byte 0x${record[0]!.toString(16)}`);
  }
  const seqProfile = record[1]! >> 5;
  for (const obu of readObus(record.subarray(RECORD_HEADER_SIZE))) {
    if (obu.type === Av1ObuType.SequenceHeader) {
      const { width, height, profile } = parseAv1SequenceHeader(obu.payload);
      return { width, height, profile };
    }
  }
  return { width: 0, height: 0, profile: av1ProfileName(seqProfile) };
}

export interface Av1SequenceHeader extends ParameterSetInfo {
  readonly reducedStillPictureHeader: boolean;
}

/** Parse a sequence_header_obu() payload (AV1 spec 5.5.1). */
export function parseAv1SequenceHeader(payload: Buffer): Av1SequenceHeader {
  const what = 'AV1 sequence header';
  const b = new BitReader(payload, what);
  const seqProfile = b.bits(3);
  b.skip(1); // still_picture
  const reducedStillPictureHeader = b.flag();
  if (reducedStillPictureHeader) {
    b.skip(5); // seq_level_idx[0]
  } else {
    let decoderModelInfoPresent = false;
    let bufferDelayLength = 0;
    if (b.flag()) {
      // timing_info()
      b.skip(64); // num_units_in_display_tick, time_scale
      if (b.flag()) b.uvlc(); // equal_picture_interval → num_ticks_per_picture_minus_1
      decoderModelInfoPresent = b.flag();
      if (decoderModelInfoPresent) {
        bufferDelayLength = b.bits(5) + 1;
        b.skip(32 + 5 + 5); // num_units_in_decoding_tick, two length fields
      }
    }
    const initialDisplayDelayPresent = b.flag();
    const operatingPoints = b.bits(5) + 1;
    for (let i = 0; i < operatingPoints; i++) {
      b.skip(12); // operating_point_idc
      if (b.bits(5) > 7) b.skip(1); // seq_level_idx → seq_tier
      if (decoderModelInfoPresent && b.flag()) b.skip(2 * bufferDelayLength + 1);
      if (initialDisplayDelayPresent && b.flag()) b.skip(4);
    }
  }
  const widthBits = b.bits(4) + 1;
  const heightBits = b.bits(4) + 1;
  const width = b.bits(widthBits) + 1;
  const height = b.bits(heightBits) + 1;
  checkSize(what, width, height);
  return { width, height, profile: av1ProfileName(seqProfile), reducedStillPictureHeader };
}

export function av1ProfileName(seqProfile: number): string {
  switch (seqProfile) {
    case Av1Profile.Main:
      return 'Main';
    case Av1Profile.High:
      return 'High';
    case Av1Profile.Professional:
      return 'Professional';
    default:
      return `Profile ${seqProfile}`;
  }
}

/**
 * Whether a temporal unit starts with a key frame: the first frame header (OBU_FRAME or
 * OBU_FRAME_HEADER) has show_existing_frame = 0 and frame_type = KEY_FRAME, or the unit's
 * sequence header uses reduced_still_picture_header (every frame is a key frame).
 */
export function av1IsKeyFrame(data: Buffer): boolean {
  let reduced = false;
  for (const obu of readObus(data)) {
    if (obu.type === Av1ObuType.SequenceHeader) {
      reduced = parseAv1SequenceHeader(obu.payload).reducedStillPictureHeader;
    } else if (obu.type === Av1ObuType.Frame || obu.type === Av1ObuType.FrameHeader) {
      if (reduced) return true;
      const b = new BitReader(obu.payload, 'AV1 frame header');
      if (b.flag()) return false; // show_existing_frame
      return b.bits(2) === Av1FrameType.Key;
    }
  }
  return false;
}
