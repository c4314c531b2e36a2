import { ApiError } from '../api-error.js';
import type { ApiErrorKey } from '../error-codes.js';
import { APP_NAME, AUTH_KEY, DOMAIN_NAME, isCallbackUrl, MAX_URL_LENGTH } from '../field-rules.js';
import { templateProblem, type TemplateKind } from '../object-name-rules.js';
import type { ParamReader } from '../param-reader.js';

/** Readers for the fields shared by the Live snapshot actions. */

/** A single hyphen deletes a field on update (spec §2.0). */
export const DELETE_FIELD = '-';

/** DomainName, lower-cased (host names are case-insensitive). */
export function readDomainName(p: ParamReader): string {
  return p.string('DomainName', { maxLength: 253, pattern: DOMAIN_NAME }).toLowerCase();
}

export function readAppName(p: ParamReader): string {
  return p.string('AppName', { maxLength: 255, pattern: APP_NAME });
}

export function readOptionalAppName(p: ParamReader): string | undefined {
  return p.optionalString('AppName', { maxLength: 255, pattern: APP_NAME });
}

const TEMPLATE_PARAM: Record<TemplateKind, { name: string; code: ApiErrorKey }> = {
  overwrite: { name: 'OverwriteOssObject', code: 'InvalidOverwriteOssObject.Malformed' },
  sequence: { name: 'SequenceOssObject', code: 'InvalidSequenceOssObject.Malformed' },
};

/**
 * A naming template: undefined when absent, null for `-` (only when `allowDelete`),
 * else the validated template.
 */
export function readTemplate(
  p: ParamReader,
  kind: TemplateKind,
  allowDelete: boolean,
): string | null | undefined {
  const { name, code } = TEMPLATE_PARAM[kind];
  const raw = p.optionalString(name, { maxLength: 1024, code });
  if (raw === undefined) return undefined;
  if (raw === DELETE_FIELD && allowDelete) return null;
  const problem = templateProblem(kind, raw);
  if (problem) {
    throw new ApiError(code, { message: `Specified parameter ${name} is not valid: ${problem}.` });
  }
  return raw;
}

/** An http(s) URL ≤ 500 chars; null for `-` when `allowDelete`. */
export function readUrl(
  p: ParamReader,
  name: string,
  allowDelete: boolean,
): string | null | undefined {
  const raw = p.optionalString(name, { maxLength: MAX_URL_LENGTH });
  if (raw === undefined) return undefined;
  if (raw === DELETE_FIELD && allowDelete) return null;
  if (!isCallbackUrl(raw)) throw p.invalid(name, 'must be an http or https URL');
  return raw;
}

/** `yes` / `no` (case-insensitive) as a boolean. */
export function readYesNo(p: ParamReader, name: string, required: boolean): boolean | undefined {
  const raw = required
    ? p.string(name, { maxLength: 8 })
    : p.optionalString(name, { maxLength: 8 });
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (v !== 'yes' && v !== 'no') throw p.invalid(name, 'must be yes or no');
  return v === 'yes';
}

/** A callback signing key: 16–32 letters and digits. */
export function readAuthKey(p: ParamReader, name: string): string | undefined {
  return p.optionalString(name, { maxLength: 32, minLength: 16, pattern: AUTH_KEY });
}

export function yesNo(v: boolean): 'yes' | 'no' {
  return v ? 'yes' : 'no';
}
