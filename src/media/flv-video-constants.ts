/**
 * FLV / RTMP video tag constants: the legacy header (FLV spec annex E.4.3) and Enhanced
 * RTMP v1/v2 (veovera/enhanced-rtmp, "Enhanced Video").
 */

/** Frame type: high nibble of a legacy header, bits 6..4 of an enhanced one. */
export enum VideoFrameType {
  Key = 1,
  Inter = 2,
  DisposableInter = 3,
  GeneratedKey = 4,
  Command = 5,
}

/** Legacy codec id: low nibble of the first byte. */
export enum VideoCodecId {
  SorensonH263 = 2,
  ScreenVideo = 3,
  Vp6 = 4,
  Vp6Alpha = 5,
  ScreenVideo2 = 6,
  Avc = 7,
  /** Not in the FLV spec: the id Chinese encoders and CDNs use for HEVC. */
  HevcLegacy = 12,
}

/** Legacy AVCPacketType (also used by legacy HEVC). */
export enum AvcPacketType {
  SequenceHeader = 0,
  Nalu = 1,
  EndOfSequence = 2,
}

/** Enhanced RTMP VideoPacketType: low nibble of the first byte when IsExHeader is set. */
export enum ExVideoPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  /** Coded frames with composition time 0 (no SI24 on the wire). */
  CodedFramesX = 3,
  Metadata = 4,
  Mpeg2TsSequenceStart = 5,
  Multitrack = 6,
  ModEx = 7,
}

/** Enhanced RTMP v2 VideoPacketModExType (high nibble after a ModEx payload). */
export enum VideoPacketModExType {
  TimestampOffsetNano = 0,
}

/** Enhanced RTMP v2 AvMultitrackType (high nibble of the multitrack byte). */
export enum AvMultitrackType {
  OneTrack = 0,
  ManyTracks = 1,
  ManyTracksManyCodecs = 2,
}

/** Enhanced RTMP video FourCCs, as big-endian 32-bit values. */
export enum VideoFourCc {
  Avc = 0x61766331, // 'avc1'
  Hevc = 0x68766331, // 'hvc1'
  Av1 = 0x61763031, // 'av01'
  Vp9 = 0x76703039, // 'vp09'
  Vp8 = 0x76703038, // 'vp08'
}

/** Bit 7 of the first byte: IsExHeader (Enhanced RTMP). */
export const EX_HEADER_FLAG = 0x80;
/** ModEx data size escape: a one-byte size of 255 (+1 = 256) means a UI16 size follows. */
export const MOD_EX_SIZE_ESCAPE = 256;
/** The track a multitrack message's default (non-multitrack) video belongs to. */
export const DEFAULT_TRACK_ID = 0;
