import { MediaFormatError } from '../errors.js';
import { AvcNalType } from '../media/h264-types.js';
import { HevcNalType } from '../media/hevc-types.js';
import { lengthPrefixedNalus, unescapeRbsp } from '../media/nal.js';

/**
 * H.264 / HEVC framing conversions for pulled streams, pure. Demuxers of MPEG-TS (HLS, SRT),
 * RTSP and raw streams hand out Annex-B (start-code framed) access units with the parameter
 * sets in band; the hub carries 4-byte length-prefixed NAL units and a decoder configuration
 * record (avcC / hvcC, ISO/IEC 14496-15) as FLV does. This module splits Annex-B, builds the
 * records from parameter sets and re-frames access units.
 */

const START_CODE = Buffer.from([0, 0, 1]);
/** The hub's NAL length size. */
export const LENGTH_SIZE = 4;
const MAX_NAL_UNIT = 0xffff; // a parameter set longer than this cannot go into a record

/** Whether `data` starts with an Annex-B start code (00 00 01 or 00 00 00 01). */
export function isAnnexB(data: Buffer): boolean {
  if (data.length < 3 || data[0] !== 0 || data[1] !== 0) return false;
  if (data[2] === 1) return true;
  return data.length >= 4 && data[2] === 0 && data[3] === 1;
}

/** Without trailing zero bytes (trailing_zero_8bits, or the first byte of a 4-byte start code). */
function trimZeros(nal: Buffer): Buffer {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}

/** The NAL units of an Annex-B byte stream, as views; bytes before the first start code are dropped. */
export function splitAnnexB(data: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let start = -1;
  let at = data.indexOf(START_CODE);
  while (at >= 0) {
    if (start >= 0) {
      const nal = trimZeros(data.subarray(start, at));
      if (nal.length > 0) nals.push(nal);
    }
    start = at + START_CODE.length;
    at = data.indexOf(START_CODE, start);
  }
  if (start >= 0) {
    const nal = trimZeros(data.subarray(start));
    if (nal.length > 0) nals.push(nal);
  }
  return nals;
}

/** NAL units framed with 4-byte big-endian lengths. */
export function toLengthPrefixed(nals: readonly Buffer[]): Buffer {
  let size = 0;
  for (const nal of nals) size += LENGTH_SIZE + nal.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const nal of nals) {
    out.writeUInt32BE(nal.length, pos);
    nal.copy(out, pos + LENGTH_SIZE);
    pos += LENGTH_SIZE + nal.length;
  }
  return out;
}

/** Re-frames length-prefixed NAL units with `lengthSize`-byte lengths to 4-byte lengths. */
export function toFourByteLengths(data: Buffer, lengthSize: number): Buffer {
  if (lengthSize === LENGTH_SIZE) return data;
  return toLengthPrefixed([...lengthPrefixedNalus(data, lengthSize)]);
}

/** NAL unit type of an H.264 (1-byte header) or HEVC (2-byte header) NAL unit. */
export function nalType(codec: 'h264' | 'hevc', nal: Buffer): number {
  return codec === 'h264' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
}

/** The parameter sets found in some NAL units, by kind (VPS only for HEVC). */
export interface ParameterSets {
  vps: Buffer[];
  sps: Buffer[];
  pps: Buffer[];
}

/** Picks the parameter sets out of `nals` (copies, so they outlive the packet). */
export function collectParameterSets(
  codec: 'h264' | 'hevc',
  nals: Iterable<Buffer>,
): ParameterSets {
  const sets: ParameterSets = { vps: [], sps: [], pps: [] };
  for (const nal of nals) {
    if (nal.length === 0) continue;
    const type = nalType(codec, nal);
    if (codec === 'h264') {
      if (type === AvcNalType.Sps) sets.sps.push(Buffer.from(nal));
      else if (type === AvcNalType.Pps) sets.pps.push(Buffer.from(nal));
    } else if (type === HevcNalType.Vps) sets.vps.push(Buffer.from(nal));
    else if (type === HevcNalType.Sps) sets.sps.push(Buffer.from(nal));
    else if (type === HevcNalType.Pps) sets.pps.push(Buffer.from(nal));
  }
  return sets;
}

function checkNal(what: string, nal: Buffer): void {
  if (nal.length > MAX_NAL_UNIT) {
    throw new MediaFormatError(`${what} of ${nal.length} bytes is too large for a record`);
  }
}

function nalArray(nals: readonly Buffer[]): Buffer[] {
  const parts: Buffer[] = [];
  for (const nal of nals) {
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(nal.length);
    parts.push(len, nal);
  }
  return parts;
}

/** An AVCDecoderConfigurationRecord (4-byte NAL lengths) from SPS and PPS NAL units. */
export function buildAvcRecord(sps: readonly Buffer[], pps: readonly Buffer[]): Buffer {
  const first = sps[0];
  if (!first || first.length < 4) throw new MediaFormatError('H.264: no usable SPS for a record');
  if (pps.length === 0) throw new MediaFormatError('H.264: no PPS for a record');
  if (sps.length > 31 || pps.length > 255) {
    throw new MediaFormatError('H.264: too many parameter sets for a record');
  }
  for (const nal of [...sps, ...pps]) checkNal('H.264 parameter set', nal);
  const header = Buffer.from([
    1, // configurationVersion
    first[1]!, // AVCProfileIndication
    first[2]!, // profile_compatibility
    first[3]!, // AVCLevelIndication
    0xfc | (LENGTH_SIZE - 1), // reserved + lengthSizeMinusOne
    0xe0 | sps.length, // reserved + numOfSequenceParameterSets
  ]);
  return Buffer.concat([header, ...nalArray(sps), Buffer.from([pps.length]), ...nalArray(pps)]);
}

/** Bytes of the HEVC SPS RBSP that hold general_profile_space … general_level_idc. */
const HEVC_PTL_BYTES = 12;
const HVCC_HEADER_BYTES = 23;

/**
 * An HEVCDecoderConfigurationRecord (4-byte NAL lengths) from VPS, SPS and PPS NAL units.
 * The general profile, tier and level are copied from the SPS; chroma format and bit depths
 * are written as 4:2:0 8-bit (decoders take them from the SPS itself).
 */
export function buildHevcRecord(
  vps: readonly Buffer[],
  sps: readonly Buffer[],
  pps: readonly Buffer[],
): Buffer {
  const first = sps[0];
  if (!first || first.length < 3) throw new MediaFormatError('HEVC: no usable SPS for a record');
  if (vps.length === 0 || pps.length === 0) {
    throw new MediaFormatError('HEVC: a record needs a VPS, an SPS and a PPS');
  }
  for (const nal of [...vps, ...sps, ...pps]) checkNal('HEVC parameter set', nal);
  const rbsp = unescapeRbsp(first.subarray(2));
  if (rbsp.length < 1 + HEVC_PTL_BYTES) throw new MediaFormatError('HEVC SPS: truncated');
  const maxSubLayersMinus1 = (rbsp[0]! >> 1) & 0x07;
  const temporalIdNested = rbsp[0]! & 0x01;
  const header = Buffer.alloc(HVCC_HEADER_BYTES);
  header[0] = 1; // configurationVersion
  rbsp.copy(header, 1, 1, 1 + HEVC_PTL_BYTES); // profile space/tier/idc, compat, constraints, level
  header.writeUInt16BE(0xf000, 13); // reserved + min_spatial_segmentation_idc 0
  header[15] = 0xfc; // reserved + parallelismType 0
  header[16] = 0xfc | 1; // reserved + chromaFormat 4:2:0
  header[17] = 0xf8; // reserved + bitDepthLumaMinus8 0
  header[18] = 0xf8; // reserved + bitDepthChromaMinus8 0
  header.writeUInt16BE(0, 19); // avgFrameRate unknown
  header[21] =
    (((maxSubLayersMinus1 + 1) & 0x07) << 3) | (temporalIdNested << 2) | (LENGTH_SIZE - 1);
  const arrays: Array<[number, readonly Buffer[]]> = [
    [HevcNalType.Vps, vps],
    [HevcNalType.Sps, sps],
    [HevcNalType.Pps, pps],
  ];
  header[22] = arrays.length; // numOfArrays
  const parts: Buffer[] = [header];
  for (const [type, nals] of arrays) {
    const head = Buffer.allocUnsafe(3);
    head[0] = 0x80 | type; // array_completeness + reserved + NAL_unit_type
    head.writeUInt16BE(nals.length, 1);
    parts.push(head, ...nalArray(nals));
  }
  return Buffer.concat(parts);
}

/** The parameter sets of an avcC / hvcC record, and its NAL length size. */
export function recordParameterSets(
  codec: 'h264' | 'hevc',
  record: Buffer,
): { sets: ParameterSets; lengthSize: number } {
  const truncated = () => new MediaFormatError(`${codec} decoder configuration record truncated`);
  const sets: ParameterSets = { vps: [], sps: [], pps: [] };
  const readNal = (pos: number): [Buffer, number] => {
    if (pos + 2 > record.length) throw truncated();
    const len = record.readUInt16BE(pos);
    if (pos + 2 + len > record.length) throw truncated();
    return [record.subarray(pos + 2, pos + 2 + len), pos + 2 + len];
  };
  if (codec === 'h264') {
    if (record.length < 7 || record[0] !== 1) throw truncated();
    const lengthSize = (record[4]! & 0x03) + 1;
    let pos = 6;
    let nal: Buffer;
    for (let i = record[5]! & 0x1f; i > 0; i--) {
      [nal, pos] = readNal(pos);
      sets.sps.push(nal);
    }
    if (pos >= record.length) throw truncated();
    const ppsCount = record[pos++]!;
    for (let i = ppsCount; i > 0; i--) {
      [nal, pos] = readNal(pos);
      sets.pps.push(nal);
    }
    return { sets, lengthSize };
  }
  if (record.length < HVCC_HEADER_BYTES || record[0] !== 1) throw truncated();
  const lengthSize = (record[21]! & 0x03) + 1;
  let pos = HVCC_HEADER_BYTES;
  for (let a = record[22]!; a > 0; a--) {
    if (pos + 3 > record.length) throw truncated();
    const type = record[pos]! & 0x3f;
    const count = record.readUInt16BE(pos + 1);
    pos += 3;
    for (let i = 0; i < count; i++) {
      let nal: Buffer;
      [nal, pos] = readNal(pos);
      if (type === HevcNalType.Vps) sets.vps.push(nal);
      else if (type === HevcNalType.Sps) sets.sps.push(nal);
      else if (type === HevcNalType.Pps) sets.pps.push(nal);
    }
  }
  return { sets, lengthSize };
}

/** Whether a record has 4-byte NAL lengths; if not, a copy that says so. */
export function withFourByteLengths(codec: 'h264' | 'hevc', record: Buffer): Buffer {
  const at = codec === 'h264' ? 4 : 21;
  if ((record[at]! & 0x03) === LENGTH_SIZE - 1) return record;
  const copy = Buffer.from(record);
  copy[at] = (copy[at]! & 0xfc) | (LENGTH_SIZE - 1);
  return copy;
}
