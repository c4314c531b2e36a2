import { validateObjectKey } from '../storage/object-key.js';
import { SnapshotType } from './template-config.js';

/**
 * Object names of a job's outputs (spec §3.1 Output): Normal snapshots replace `{Count}` with
 * their number, sprite sheets `{TileCount}` with theirs (both 1-based, five digits:
 * `output-00001.jpg`); a WebVtt output is the `.vtt` object itself and its images sit next
 * to it as `<name>-00001.jpg`, `<name>-00002.jpg`… (sprite sheets or one image per cue).
 */

export const COUNT_VARIABLE = '{Count}';
export const TILE_COUNT_VARIABLE = '{TileCount}';
export const VTT_SUFFIX = '.vtt';
const NUMBER_DIGITS = 5;

function numbered(n: number): string {
  return String(n).padStart(NUMBER_DIGITS, '0');
}

/**
 * Why `object` cannot name the outputs of a `type` job (undefined when it can). `count` is
 * the Count asked for (Normal: more than one needs `{Count}`).
 */
export function outputNameProblem(
  type: SnapshotType,
  object: string,
  count: number | undefined,
): string | undefined {
  if (type === SnapshotType.Normal && (count ?? 0) > 1 && !object.includes(COUNT_VARIABLE)) {
    return `several snapshots need ${COUNT_VARIABLE} in the object name`;
  }
  if (type === SnapshotType.Sprite && !object.includes(TILE_COUNT_VARIABLE)) {
    return `a sprite needs ${TILE_COUNT_VARIABLE} in the object name`;
  }
  if (type === SnapshotType.WebVtt && !object.endsWith(VTT_SUFFIX)) {
    return `a WebVtt output must end with ${VTT_SUFFIX}`;
  }
  try {
    validateObjectKey(imageName(type, object, 99_999));
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** The object of image `n` (1-based): a snapshot, a sheet, or a WebVtt thumbnail. */
export function imageName(type: SnapshotType, object: string, n: number): string {
  switch (type) {
    case SnapshotType.Normal:
      return object.replaceAll(COUNT_VARIABLE, numbered(n));
    case SnapshotType.Sprite:
      return object.replaceAll(TILE_COUNT_VARIABLE, numbered(n));
    case SnapshotType.WebVtt:
      return `${object.slice(0, -VTT_SUFFIX.length)}-${numbered(n)}.jpg`;
  }
}

/** The last path segment of an object (what a .vtt next to its images refers to them by). */
export function baseName(object: string): string {
  return object.slice(object.lastIndexOf('/') + 1);
}
