/**
 * The display transform of a video stream (MP4/MOV `tkhd` matrix, FFmpeg's
 * AV_PKT_DATA_DISPLAYMATRIX side data): nine 32-bit little-endian integers, 16.16 fixed point
 * except the last column (2.30). Phones store portrait video as landscape pictures with a
 * 90° matrix; players turn the picture upright, and so do snapshots.
 */
export interface DisplayTransform {
  /** Clockwise quarter turns to apply to the decoded picture. */
  readonly rotation: 0 | 90 | 180 | 270;
  /** Mirror left-right before rotating (a matrix with a negative determinant). */
  readonly mirror: boolean;
}

export const IDENTITY_TRANSFORM: DisplayTransform = { rotation: 0, mirror: false };

const MATRIX_BYTES = 36;
const FIXED_16_16 = 1 << 16;

/**
 * What FFmpeg's command-line tools do with a display matrix (fftools get_rotation + the
 * autorotate filters): the rotation rounded to the nearest quarter turn, and a mirror when
 * the determinant is negative. Undefined input or a degenerate matrix → identity.
 */
export function displayTransform(matrix: Buffer | null | undefined): DisplayTransform {
  if (!matrix || matrix.length < MATRIX_BYTES) return IDENTITY_TRANSFORM;
  const m = (i: number) => matrix.readInt32LE(i * 4) / FIXED_16_16;
  const [b, d] = [m(1), m(4)];
  const mirror = m(0) * d - b * m(3) < 0;
  // A mirrored matrix: undo av_display_matrix_flip (negated first column), then read it.
  const a = mirror ? -m(0) : m(0);
  const c = mirror ? -m(3) : m(3);
  const sx = Math.hypot(a, c);
  const sy = Math.hypot(b, d);
  if (sx === 0 || sy === 0) return IDENTITY_TRANSFORM;
  // av_display_rotation_get() is counter-clockwise; the picture must turn clockwise by it.
  const counterClockwise = -(Math.atan2(b / sy, a / sx) * 180) / Math.PI;
  let theta = -Math.round(counterClockwise);
  theta -= 360 * Math.floor(theta / 360 + 0.9 / 360);
  const quarter = (Math.round(theta / 90) * 90) % 360;
  return { rotation: quarter as DisplayTransform['rotation'], mirror };
}
