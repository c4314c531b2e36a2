import { MediaFormatError } from '../errors.js';
import type { ParameterSetInfo } from './flv-types.js';
import { checkSize } from './avc.js';
import { BitReader } from './bit-reader.js';
import { ByteReader } from './byte-reader.js';
import { HevcNalType, HevcProfileIdc } from './hevc-types.js';
import { unescapeRbsp } from './nal.js';

/**
 * HEVC parameter sets: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) and
 * the sequence parameter set (ITU-T H.265 7.3.2.2.1) as far as the conformance window.
 */

const RECORD = 'HEVCDecoderConfigurationRecord';
/** Bytes before numOfArrays in the record. */
const RECORD_HEADER_SIZE = 22;

/** Size and profile from an hvcC record: its first SPS, else (0, 0) and the record's profile. */
export function parseHevcRecord(record: Buffer): ParameterSetInfo {
  const r = new ByteReader(record, RECORD);
  const version = r.u8();
  if (version !== 1) {
    throw new MediaFormatError(`${RECORD}: unsupported configurationVersion ${version}`);
  }
  const profileByte = r.u8();
  const compatibility = r.u32();
  r.skip(RECORD_HEADER_SIZE - 6);
  const arrays = r.u8();
  for (let i = 0; i < arrays; i++) {
    const nalType = r.u8() & 0x3f;
    const count = r.u16();
    for (let j = 0; j < count; j++) {
      const nal = r.bytes(r.u16());
      if (nalType === HevcNalType.Sps) return parseHevcSps(nal);
    }
  }
  return { width: 0, height: 0, profile: hevcProfileName(profileByte & 0x1f, compatibility) };
}

/** Parse an SPS NAL unit (with its two-byte header, still escaped). */
export function parseHevcSps(nal: Buffer): ParameterSetInfo {
  const what = 'HEVC SPS';
  if (nal.length < 3) throw new MediaFormatError(`${what}: truncated (${nal.length} bytes)`);
  const nalType = (nal[0]! >> 1) & 0x3f;
  if (nal[0]! & 0x80 || nalType !== HevcNalType.Sps) {
    throw new MediaFormatError(`${what}: NAL header 0x${nal[0]!.toString(16)} is not an SPS`);
  }
  const b = new BitReader(unescapeRbsp(nal.subarray(2)), what);
  b.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = b.bits(3);
  if (maxSubLayersMinus1 > 6) {
    throw new MediaFormatError(`${what}: invalid sps_max_sub_layers_minus1 ${maxSubLayersMinus1}`);
  }
  b.skip(1); // sps_temporal_id_nesting_flag
  const { profileIdc, compatibility } = readProfileTierLevel(b, maxSubLayersMinus1);
  b.ue(); // sps_seq_parameter_set_id
  const chromaFormatIdc = b.ue();
  if (chromaFormatIdc > 3) {
    throw new MediaFormatError(`${what}: invalid chroma_format_idc ${chromaFormatIdc}`);
  }
  const separateColourPlane = chromaFormatIdc === 3 && b.flag();
  let width = b.ue();
  let height = b.ue();
  if (b.flag()) {
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const [left, right, top, bottom] = [b.ue(), b.ue(), b.ue(), b.ue()];
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  checkSize(what, width, height);
  return { width, height, profile: hevcProfileName(profileIdc, compatibility) };
}

/** profile_tier_level(1, maxSubLayersMinus1) (H.265 7.3.3), keeping the general profile. */
function readProfileTierLevel(
  b: BitReader,
  maxSubLayersMinus1: number,
): { profileIdc: number; compatibility: number } {
  b.skip(3); // general_profile_space, general_tier_flag
  const profileIdc = b.bits(5);
  const compatibility = b.bits(32);
  b.skip(4 + 43 + 1); // source flags, constraint flags, inbld/reserved
  b.skip(8); // general_level_idc
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(b.flag());
    levelPresent.push(b.flag());
  }
  if (maxSubLayersMinus1 > 0) b.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) b.skip(88);
    if (levelPresent[i]) b.skip(8);
  }
  return { profileIdc, compatibility };
}

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  [HevcProfileIdc.Main]: 'Main',
  [HevcProfileIdc.Main10]: 'Main 10',
  [HevcProfileIdc.MainStillPicture]: 'Main Still Picture',
  [HevcProfileIdc.RangeExtensions]: 'Rext',
  [HevcProfileIdc.HighThroughput]: 'High Throughput 4:4:4',
  [HevcProfileIdc.MultiviewMain]: 'Multiview Main',
  [HevcProfileIdc.ScalableMain]: 'Scalable Main',
  [HevcProfileIdc.ThreeDMain]: '3D Main',
  [HevcProfileIdc.ScreenContent]: 'SCC',
  [HevcProfileIdc.ScalableRangeExtensions]: 'Scalable Rext',
  [HevcProfileIdc.HighThroughputScreenContent]: 'High Throughput SCC',
};

/**
 * Profile name as FFmpeg prints it. A zero general_profile_idc falls back to the first
 * general_profile_compatibility_flag set (H.265 A.3).
 */
export function hevcProfileName(profileIdc: number, compatibility: number): string {
  let idc = profileIdc;
  if (idc === 0) {
    for (let j = 1; j < 32; j++) {
      if ((compatibility >>> (31 - j)) & 1) {
        idc = j;
        break;
      }
    }
  }
  return PROFILE_NAMES[idc] ?? (idc === 0 ? '' : `Profile ${idc}`);
}
