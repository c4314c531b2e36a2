/**
 * WebVTT thumbnail tracks (W3C WebVTT; the form video.js / hls.js / Video.js thumbnail
 * plugins and JW Player read): one cue per thumbnail, its payload the image URL, with a
 * `#xywh=x,y,w,h` media fragment when the thumbnail is a region of a sprite sheet.
 */

export interface ThumbnailCue {
  readonly startMs: number;
  readonly endMs: number;
  /** Image URL, relative to the .vtt (same directory) or absolute. */
  readonly url: string;
  /** The region of a sprite sheet, when the image is one. */
  readonly region?: {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
  };
}

/** `HH:MM:SS.mmm`. */
export function vttTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const milli = total % 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${String(milli).padStart(3, '0')}`;
}

/** A relative URL for an object name in the same directory (percent-encoded). */
export function relativeUrl(fileName: string): string {
  return encodeURIComponent(fileName);
}

export function renderWebVtt(cues: readonly ThumbnailCue[]): string {
  const lines = ['WEBVTT', ''];
  cues.forEach((cue, i) => {
    const r = cue.region;
    lines.push(
      String(i + 1),
      `${vttTimestamp(cue.startMs)} --> ${vttTimestamp(Math.max(cue.endMs, cue.startMs + 1))}`,
      r ? `${cue.url}#xywh=${r.x},${r.y},${r.w},${r.h}` : cue.url,
      '',
    );
  });
  return lines.join('\n');
}

/** Cue start and end times from snapshot times: each cue lasts until the next one starts. */
export function cueTimes(times: readonly number[], endMs: number): Array<[number, number]> {
  return times.map((t, i) => [t, i + 1 < times.length ? times[i + 1]! : Math.max(endMs, t + 1)]);
}
