import { validateObjectKey } from '../storage/object-key.js';

/**
 * Naming formats of live snapshot templates (spec §4.0 "Naming formats"), pure.
 *
 * - OverwriteFormat may use {JobId} only; SequenceFormat {JobId}, {Date}, {UnixTimestamp} and
 *   {Sequence}, and must use {UnixTimestamp} or {Sequence}.
 * - Both: not starting with "/", ending in ".jpg", at most 255 characters, and a safe object
 *   key once filled in (no "..", no empty segments).
 * - Values: {JobId} the job's id; {UnixTimestamp} the capture time in Unix **milliseconds**
 *   (as the spec's file-list example, and equal to the file's CreateTimestamp); {Date} the
 *   capture day in UTC as YYYY-MM-DD; {Sequence} 1, 2, 3… per job.
 *
 * A job's capture rule keeps {Sequence} (the snapshot store numbers it) and gets {JobId}
 * filled in when the job starts; {UnixTimestamp} and {Date} are filled in per capture
 * (src/jobs/live-job-sink.ts).
 */

export type LiveFormatKind = 'overwrite' | 'sequence';

export const LiveFormatVariable = {
  JobId: 'JobId',
  Date: 'Date',
  UnixTimestamp: 'UnixTimestamp',
  Sequence: 'Sequence',
} as const;
type Variable = (typeof LiveFormatVariable)[keyof typeof LiveFormatVariable];

const ALLOWED: Record<LiveFormatKind, readonly Variable[]> = {
  overwrite: [LiveFormatVariable.JobId],
  sequence: Object.values(LiveFormatVariable),
};

export const MAX_FORMAT_LENGTH = 255;
const EXTENSION = '.jpg';
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Why `format` is not a valid format of `kind`, or undefined when it is. */
export function liveFormatProblem(kind: LiveFormatKind, format: string): string | undefined {
  if (format.length > MAX_FORMAT_LENGTH) return `longer than ${MAX_FORMAT_LENGTH} characters`;
  if (format.startsWith('/')) return 'must not start with "/"';
  if (!format.endsWith(EXTENSION)) return `must end with "${EXTENSION}"`;
  const used = [...format.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  for (const name of used) {
    if (!(ALLOWED[kind] as readonly string[]).includes(name)) {
      return `{${name}} is not allowed (${ALLOWED[kind].map((v) => `{${v}}`).join(', ')})`;
    }
  }
  if (/[{}]/.test(format.replace(PLACEHOLDER, ''))) return 'unbalanced "{" or "}"';
  if (kind === 'sequence' && !used.includes('UnixTimestamp') && !used.includes('Sequence')) {
    return 'must contain {UnixTimestamp} or {Sequence}';
  }
  try {
    validateObjectKey(format.replace(PLACEHOLDER, 'x'));
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** A job's capture-rule template: the format with {JobId} filled in. */
export function jobRuleTemplate(format: string, jobId: string): string {
  return format.replaceAll(`{${LiveFormatVariable.JobId}}`, jobId);
}

/** UTC `YYYY-MM-DD`. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Fills {UnixTimestamp} (ms) and {Date} with the capture time. */
export function fillCaptureTime(template: string, capturedAtMs: number): string {
  return template
    .replaceAll(`{${LiveFormatVariable.UnixTimestamp}}`, String(Math.floor(capturedAtMs)))
    .replaceAll(`{${LiveFormatVariable.Date}}`, utcDate(capturedAtMs));
}
