/** H.264 nal_unit_type values (ITU-T H.264 table 7-1) that livesnap looks at. */
export enum AvcNalType {
  Slice = 1,
  Idr = 5,
  Sei = 6,
  Sps = 7,
  Pps = 8,
  AccessUnitDelimiter = 9,
}

/** H.264 profile_idc values (ITU-T H.264 annex A). */
export enum AvcProfileIdc {
  Cavlc444Intra = 44,
  Baseline = 66,
  Main = 77,
  ScalableBaseline = 83,
  ScalableHigh = 86,
  Extended = 88,
  High = 100,
  High10 = 110,
  MultiviewHigh = 118,
  High422 = 122,
  StereoHigh = 128,
  MultiviewDepthHigh = 138,
  High444Predictive = 244,
}
