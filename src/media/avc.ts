import { MediaFormatError } from '../errors.js';
import type { ParameterSetInfo } from './flv-types.js';
import { BitReader } from './bit-reader.js';
import { ByteReader } from './byte-reader.js';
import { AvcNalType, AvcProfileIdc } from './h264-types.js';
import { unescapeRbsp } from './nal.js';

/**
 * H.264 parameter sets: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) and
 * the sequence parameter set (ITU-T H.264 7.3.2.1.1) as far as the picture size.
 */

const RECORD = 'AVCDecoderConfigurationRecord';

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Size and profile from an avcC record: its first SPS, else (0, 0) and the record's profile. */
export function parseAvcRecord(record: Buffer): ParameterSetInfo {
  const r = new ByteReader(record, RECORD);
  const version = r.u8();
  if (version !== 1) {
    throw new MediaFormatError(`${RECORD}: unsupported configurationVersion ${version}`);
  }
  const profileIdc = r.u8();
  const constraints = r.u8();
  r.skip(2); // level, reserved + lengthSizeMinusOne
  const spsCount = r.u8() & 0x1f;
  if (spsCount === 0) {
    return { width: 0, height: 0, profile: avcProfileName(profileIdc, constraints) };
  }
  const sps = r.bytes(r.u16());
  return parseAvcSps(sps);
}

/** Parse an SPS NAL unit (with its one-byte header, still escaped). */
export function parseAvcSps(nal: Buffer): ParameterSetInfo {
  const what = 'H.264 SPS';
  if (nal.length < 4) throw new MediaFormatError(`${what}: truncated (${nal.length} bytes)`);
  const nalType = nal[0]! & 0x1f;
  if (nal[0]! & 0x80 || nalType !== AvcNalType.Sps) {
    throw new MediaFormatError(`${what}: NAL header 0x${nal[0]!.toString(16)} is not an SPS`);
  }
  const b = new BitReader(unescapeRbsp(nal.subarray(1)), what);
  const profileIdc = b.bits(8);
  const constraints = b.bits(8);
  b.skip(8); // level_idc
  b.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = b.ue();
    if (chromaFormatIdc > 3) {
      throw new MediaFormatError(`${what}: invalid chroma_format_idc ${chromaFormatIdc}`);
    }
    if (chromaFormatIdc === 3) separateColourPlane = b.flag();
    b.ue(); // bit_depth_luma_minus8
    b.ue(); // bit_depth_chroma_minus8
    b.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (b.flag()) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        if (b.flag()) skipScalingList(b, i < 6 ? 16 : 64);
      }
    }
  }
  b.ue(); // log2_max_frame_num_minus4
  const pocType = b.ue();
  if (pocType === 0) {
    b.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    b.skip(1); // delta_pic_order_always_zero_flag
    b.se(); // offset_for_non_ref_pic
    b.se(); // offset_for_top_to_bottom_field
    const cycle = b.ue();
    if (cycle > 255) throw new MediaFormatError(`${what}: invalid POC cycle length ${cycle}`);
    for (let i = 0; i < cycle; i++) b.se();
  } else if (pocType !== 2) {
    throw new MediaFormatError(`${what}: invalid pic_order_cnt_type ${pocType}`);
  }
  b.ue(); // max_num_ref_frames
  b.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = b.ue() + 1;
  const heightMapUnits = b.ue() + 1;
  const frameMbsOnly = b.flag();
  if (!frameMbsOnly) b.skip(1); // mb_adaptive_frame_field_flag
  b.skip(1); // direct_8x8_inference_flag
  let width = widthMbs * 16;
  let height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  if (b.flag()) {
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    const [left, right, top, bottom] = [b.ue(), b.ue(), b.ue(), b.ue()];
    width -= cropX * (left + right);
    height -= cropY * (top + bottom);
  }
  checkSize(what, width, height);
  return { width, height, profile: avcProfileName(profileIdc, constraints) };
}

function skipScalingList(b: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = b.se();
      if (delta < -128 || delta > 127) {
        throw new MediaFormatError(`H.264 SPS: invalid scaling list delta ${delta}`);
      }
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

/** Largest picture side accepted; H.264 level 6.2 tops out at 8192 (16384 covers oddities). */
const MAX_SIDE = 16384;

export function checkSize(what: string, width: number, height: number): void {
  if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new MediaFormatError(`${what}: implausible picture size ${width}x${height}`);
  }
}

/** Profile name as FFmpeg prints it, from profile_idc and the constraint_set flags byte. */
export function avcProfileName(profileIdc: number, constraints: number): string {
  const set = (n: number): boolean => (constraints & (0x80 >> n)) !== 0;
  switch (profileIdc) {
    case AvcProfileIdc.Baseline:
      return set(1) ? 'Constrained Baseline' : 'Baseline';
    case AvcProfileIdc.Main:
      return 'Main';
    case AvcProfileIdc.Extended:
      return 'Extended';
    case AvcProfileIdc.High:
      return 'High';
    case AvcProfileIdc.High10:
      return set(3) ? 'High 10 Intra' : 'High 10';
    case AvcProfileIdc.High422:
      return set(3) ? 'High 4:2:2 Intra' : 'High 4:2:2';
    case AvcProfileIdc.High444Predictive:
      return set(3) ? 'High 4:4:4 Intra' : 'High 4:4:4 Predictive';
    case AvcProfileIdc.Cavlc444Intra:
      return 'CAVLC 4:4:4';
    case AvcProfileIdc.ScalableBaseline:
      return 'Scalable Baseline';
    case AvcProfileIdc.ScalableHigh:
      return 'Scalable High';
    case AvcProfileIdc.MultiviewHigh:
      return 'Multiview High';
    case AvcProfileIdc.StereoHigh:
      return 'Stereo High';
    case AvcProfileIdc.MultiviewDepthHigh:
      return 'Multiview Depth High';
    default:
      return `Profile ${profileIdc}`;
  }
}
