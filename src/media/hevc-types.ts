/** HEVC nal_unit_type values (ITU-T H.265 table 7-1) that livesnap looks at. */
export enum HevcNalType {
  /** IRAP pictures are types 16..23 (BLA, IDR, CRA and reserved IRAP types). */
  IrapFirst = 16,
  IdrWRadl = 19,
  IdrNLp = 20,
  Cra = 21,
  IrapLast = 23,
  Vps = 32,
  Sps = 33,
  Pps = 34,
  AccessUnitDelimiter = 35,
}

/** HEVC general_profile_idc values (ITU-T H.265 annex A). */
export enum HevcProfileIdc {
  Main = 1,
  Main10 = 2,
  MainStillPicture = 3,
  RangeExtensions = 4,
  HighThroughput = 5,
  MultiviewMain = 6,
  ScalableMain = 7,
  ThreeDMain = 8,
  ScreenContent = 9,
  ScalableRangeExtensions = 10,
  HighThroughputScreenContent = 11,
}
