import type { VideoCodec } from '../stream/stream-types.js';
import type { ParameterSetInfo } from './flv-types.js';
import { av1IsKeyFrame, parseAv1Record } from './av1.js';
import { parseAvcRecord } from './avc.js';
import { AvcNalType } from './h264-types.js';
import { parseHevcRecord } from './hevc.js';
import { HevcNalType } from './hevc-types.js';
import { lengthPrefixedNalus } from './nal.js';

/**
 * Picture size and profile from a decoder configuration record as FLV carries it
 * (avcC / hvcC / av1C). Width and height are the displayed (cropped) size; (0, 0) when the
 * record holds no sequence parameter set / header. Throws MediaFormatError on bad bytes.
 */
export function parseCodecRecord(codec: VideoCodec, record: Buffer): ParameterSetInfo {
  switch (codec) {
    case 'h264':
      return parseAvcRecord(record);
    case 'hevc':
      return parseHevcRecord(record);
    case 'av1':
      return parseAv1Record(record);
  }
}

/**
 * Whether an access unit holds an IDR (h264 NAL type 5) or IRAP (hevc NAL types 16..23)
 * picture, scanning its 4-byte length-prefixed NAL units; for av1, whether its first frame
 * is a key frame. Lets the capture engine cross-check the FLV keyframe flag. Throws
 * MediaFormatError when the framing is broken.
 */
export function containsIrap(codec: VideoCodec, data: Buffer): boolean {
  if (codec === 'av1') return av1IsKeyFrame(data);
  for (const nal of lengthPrefixedNalus(data)) {
    if (nal.length === 0) continue;
    if (codec === 'h264') {
      if ((nal[0]! & 0x1f) === AvcNalType.Idr) return true;
    } else {
      const type = (nal[0]! >> 1) & 0x3f;
      if (type >= HevcNalType.IrapFirst && type <= HevcNalType.IrapLast) return true;
    }
  }
  return false;
}
