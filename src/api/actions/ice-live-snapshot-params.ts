import type { LiveTemplateFields, SortOrder } from '../../catalog/catalog-types.js';
import { liveFormatProblem, type LiveFormatKind } from '../../jobs/live-job-naming.js';
import { ApiError } from '../api-error.js';
import type { ApiErrorKey } from '../error-codes.js';
import type { ParamReader } from '../param-reader.js';
import { parseQueryTime } from './snapshot-record-actions.js';

/** Readers for the parameters shared by the ICE live snapshot actions (spec §4). */

export const NAME_MAX = 128;
export const KEYWORD_MAX = 128;
export const TIME_INTERVAL = { min: 5, max: 3600 } as const;
export const PAGE_SIZE = { min: 1, max: 100, default: 10 } as const;
const PAGE_NO_MAX = 1_000_000;
/** Ids are UUIDs; anything much longer is not one of ours. */
export const ID_MAX = 64;

const FORMAT_PARAM: Record<LiveFormatKind, string> = {
  overwrite: 'OverwriteFormat',
  sequence: 'SequenceFormat',
};

/** An optional naming format, validated (InvalidParameter naming the problem). */
export function readFormat(p: ParamReader, kind: LiveFormatKind): string | undefined {
  const name = FORMAT_PARAM[kind];
  const raw = p.optionalString(name, { maxLength: 1024 });
  if (raw === undefined) return undefined;
  const problem = liveFormatProblem(kind, raw);
  if (problem) throw p.invalid(name, problem);
  return raw;
}

/** TemplateName, TimeInterval and the formats (at least one) of Create/UpdateLiveSnapshotTemplate. */
export function readTemplateFields(p: ParamReader): LiveTemplateFields {
  const templateName = p.string('TemplateName', { maxLength: NAME_MAX });
  const timeInterval = p.integer('TimeInterval', TIME_INTERVAL);
  const overwriteFormat = readFormat(p, 'overwrite');
  const sequenceFormat = readFormat(p, 'sequence');
  if (overwriteFormat === undefined && sequenceFormat === undefined) {
    throw new ApiError('InvalidParameter', {
      message:
        'The specified parameter "OverwriteFormat" is not valid: at least one of OverwriteFormat and SequenceFormat is required.',
    });
  }
  return {
    templateName,
    timeInterval,
    ...(overwriteFormat !== undefined && { overwriteFormat }),
    ...(sequenceFormat !== undefined && { sequenceFormat }),
  };
}

export function readId(p: ParamReader, name: 'TemplateId' | 'JobId'): string {
  return p.string(name, { maxLength: ID_MAX });
}

/** PageNo (≥ 1, default 1) and PageSize (1–100, default 10) as offset and limit. */
export function readPage(p: ParamReader): { pageNo: number; pageSize: number; offset: number } {
  const pageNo = p.optionalInteger('PageNo', { min: 1, max: PAGE_NO_MAX }) ?? 1;
  const pageSize = p.optionalInteger('PageSize', PAGE_SIZE) ?? PAGE_SIZE.default;
  return { pageNo, pageSize, offset: (pageNo - 1) * pageSize };
}

/** SortBy: `asc` / `desc` (case-insensitive). */
export function readSortBy(p: ParamReader, fallback: SortOrder): SortOrder {
  const raw = p.optionalString('SortBy', { maxLength: 8 })?.toLowerCase() ?? fallback;
  if (raw !== 'asc' && raw !== 'desc') throw p.invalid('SortBy', 'must be asc or desc');
  return raw;
}

/** A UTC time `yyyy-MM-ddTHH:mm:ssZ` (milliseconds allowed); MalformedStartTime / EndTime. */
export function readTime(
  p: ParamReader,
  name: 'StartTime' | 'EndTime',
  required: boolean,
): number | undefined {
  const code: ApiErrorKey = name === 'StartTime' ? 'MalformedStartTime' : 'MalformedEndTime';
  const opts = { maxLength: 32, code };
  const raw = required ? p.string(name, opts) : p.optionalString(name, opts);
  if (raw === undefined) return undefined;
  const ms = parseQueryTime(raw);
  if (ms === undefined) throw new ApiError(code);
  return ms;
}

/** A JSON-object parameter ("shrink" form, spec §1.3). */
export function readJsonObject(p: ParamReader, name: string): Record<string, unknown> {
  const value = p.optionalJson(name, 4096);
  if (value === undefined) throw p.missing(name);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw p.invalid(name, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A string field of a JSON-object parameter: `Name.Field`. */
export function jsonString(
  p: ParamReader,
  object: Record<string, unknown>,
  parent: string,
  field: string,
  maxLength: number,
): string {
  const value = object[field];
  const name = `${parent}.${field}`;
  if (value === undefined || value === null || value === '') throw p.missing(name);
  if (typeof value !== 'string') throw p.invalid(name, 'must be a string');
  if (value.length > maxLength) throw p.invalid(name, `longer than ${maxLength} characters`);
  return value;
}
