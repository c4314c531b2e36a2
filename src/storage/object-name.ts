import { validateObjectKey } from './object-key.js';
import { InvalidObjectNameTemplateError } from './storage-errors.js';

/**
 * Object names of live snapshots from the rule's templates (spec "Naming templates"):
 * `OverwriteOssObject` may use {AppName} and {StreamName}; `SequenceOssObject` also
 * {UnixTimestamp} (capture time, Unix seconds) and {Sequence} (1, 2, 3… per stream) and must
 * use at least one of those two. Templates are under 256 bytes and end in ".jpg".
 *
 * Stream and app names come from publishers: substituted values are percent-encoded where they
 * could change the key's structure ('/', '\', '%', control and reserved characters, a leading
 * '.'), and the rendered key is validated again, so no name can escape its bucket.
 */

export type ObjectNameKind = 'overwrite' | 'sequence';

export interface ObjectNameVars {
  readonly appName: string;
  readonly streamName: string;
  /** Capture time in Unix seconds. */
  readonly unixTimestamp: number;
  /** 1, 2, 3… per stream. */
  readonly sequence: number;
}

const VARIABLES = ['AppName', 'StreamName', 'UnixTimestamp', 'Sequence'] as const;
type Variable = (typeof VARIABLES)[number];
const ALLOWED: Record<ObjectNameKind, readonly Variable[]> = {
  overwrite: ['AppName', 'StreamName'],
  sequence: VARIABLES,
};
export const MAX_TEMPLATE_BYTES = 255;
const PLACEHOLDER = /\{([^{}]*)\}/g;

// Characters that are encoded in substituted values: separators, the escape character itself,
// controls, whitespace and characters that are unsafe in URLs or on other file systems.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0020\u007f-\u009f/\\%"*:<>?|#[\]{}^`\u00a0\u2028\u2029]/;

function percentEncode(ch: string): string {
  return [...Buffer.from(ch, 'utf8')]
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/** Encode a publisher-supplied value so that it is one harmless run of key characters. */
export function encodeNameValue(value: string): string {
  let out = '';
  let first = true;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      out += percentEncode('\ufffd'); // lone surrogate
    else if (UNSAFE.test(ch) || (first && ch === '.')) out += percentEncode(ch);
    else out += ch;
    first = false;
  }
  return out;
}

function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Throws InvalidObjectNameTemplateError unless `template` is a valid template of `kind`.
 * The API layer maps it to InvalidOverwriteOssObject / InvalidSequenceOssObject.Malformed.
 */
export function validateObjectNameTemplate(template: string, kind: ObjectNameKind): void {
  const bad = (reason: string) => new InvalidObjectNameTemplateError(String(template), reason);
  if (typeof template !== 'string' || template.length === 0) throw bad('empty');
  if (Buffer.byteLength(template, 'utf8') > MAX_TEMPLATE_BYTES) {
    throw bad(`longer than ${MAX_TEMPLATE_BYTES} bytes`);
  }
  if (!template.endsWith('.jpg')) throw bad('must end with ".jpg"');
  const used = placeholders(template);
  for (const name of used) {
    if (!(ALLOWED[kind] as readonly string[]).includes(name)) {
      throw bad(`{${name}} is not a variable of ${kind} names (${ALLOWED[kind].join(', ')})`);
    }
  }
  if (template.replace(PLACEHOLDER, '').match(/[{}]/)) throw bad('unbalanced "{" or "}"');
  if (kind === 'sequence' && !used.includes('UnixTimestamp') && !used.includes('Sequence')) {
    throw bad('a sequence name must contain {UnixTimestamp} or {Sequence}');
  }
  try {
    validateObjectKey(template.replace(PLACEHOLDER, 'x'));
  } catch (err) {
    throw bad((err as Error).message);
  }
}

/**
 * Render a template. Throws InvalidObjectKeyError when the result is not a safe key (e.g. too
 * long with a long stream name) and InvalidObjectNameTemplateError for unknown variables.
 */
export function renderObjectName(template: string, vars: ObjectNameVars): string {
  const values: Record<Variable, string> = {
    AppName: encodeNameValue(vars.appName),
    StreamName: encodeNameValue(vars.streamName),
    UnixTimestamp: String(Math.floor(vars.unixTimestamp)),
    Sequence: String(Math.floor(vars.sequence)),
  };
  const key = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!(VARIABLES as readonly string[]).includes(name)) {
      throw new InvalidObjectNameTemplateError(template, `unknown variable ${whole}`);
    }
    return values[name as Variable];
  });
  validateObjectKey(key);
  return key;
}
