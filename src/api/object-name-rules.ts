/**
 * Object naming templates of live snapshot rules (spec §2.0 "Naming templates", DESIGN §3
 * "Storage modes"): validation of a template, and rendering of a template into an object
 * name that never escapes its bucket. Pure; the API validates with it and the capture
 * engine renders with it.
 */

export const NamingVariable = {
  AppName: 'AppName',
  StreamName: 'StreamName',
  UnixTimestamp: 'UnixTimestamp',
  Sequence: 'Sequence',
} as const;
export type NamingVariable = (typeof NamingVariable)[keyof typeof NamingVariable];

export type TemplateKind = 'overwrite' | 'sequence';

const ALLOWED: Record<TemplateKind, readonly NamingVariable[]> = {
  overwrite: [NamingVariable.AppName, NamingVariable.StreamName],
  sequence: [
    NamingVariable.AppName,
    NamingVariable.StreamName,
    NamingVariable.UnixTimestamp,
    NamingVariable.Sequence,
  ],
};

/** A template (and a rendered name) must be shorter than this many UTF-8 bytes. */
export const MAX_OBJECT_NAME_BYTES = 256;
export const OBJECT_EXTENSION = '.jpg';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why an object name is unsafe, or undefined when it is safe: not empty, shorter than
 * 256 bytes, no leading `/`, no backslash, no control characters, no empty, `.` or `..`
 * path segment.
 */
export function objectNameProblem(name: string): string | undefined {
  if (name === '') return 'empty';
  if (Buffer.byteLength(name, 'utf8') >= MAX_OBJECT_NAME_BYTES) {
    return `not shorter than ${MAX_OBJECT_NAME_BYTES} bytes`;
  }
  if (name.startsWith('/')) return 'starts with /';
  if (name.includes('\\')) return 'contains a backslash';
  if (CONTROL.test(name)) return 'contains a control character';
  for (const segment of name.split('/')) {
    if (segment === '') return 'contains an empty path segment';
    if (segment === '.' || segment === '..') return `contains a "${segment}" path segment`;
  }
  return undefined;
}

/**
 * Why a naming template is not valid for its field, or undefined when it is: the rules
 * of an object name, `.jpg` suffix, only the field's `{Variables}` (balanced braces), and
 * for a sequence template `{UnixTimestamp}` or `{Sequence}`.
 */
export function templateProblem(kind: TemplateKind, template: string): string | undefined {
  const base = objectNameProblem(template);
  if (base) return base;
  if (!template.endsWith(OBJECT_EXTENSION)) return `does not end with ${OBJECT_EXTENSION}`;
  const used = new Set<string>();
  const stripped = template.replace(/\{([^{}]*)\}/g, (_m, v: string) => {
    used.add(v);
    return '';
  });
  if (/[{}]/.test(stripped)) return 'has unbalanced braces';
  for (const v of used) {
    if (!(ALLOWED[kind] as readonly string[]).includes(v)) return `variable {${v}} not allowed`;
  }
  if (
    kind === 'sequence' &&
    !used.has(NamingVariable.UnixTimestamp) &&
    !used.has(NamingVariable.Sequence)
  ) {
    return 'needs {UnixTimestamp} or {Sequence}';
  }
  return undefined;
}

export interface NamingValues {
  appName: string;
  streamName: string;
  /** Capture time, Unix seconds. */
  unixTimestamp?: number;
  sequence?: number;
}

export class UnsafeObjectNameError extends Error {
  constructor(
    readonly objectName: string,
    readonly reason: string,
  ) {
    super(`object name ${JSON.stringify(objectName.slice(0, 300))} is unsafe: ${reason}`);
    this.name = 'UnsafeObjectNameError';
  }
}

/**
 * Renders a (valid) template. The result is checked again, because app and stream names
 * come from publishers: a stream named `..` must not make `{StreamName}/x.jpg` escape the
 * bucket. Throws UnsafeObjectNameError when the rendered name is unsafe.
 */
export function renderObjectName(template: string, values: NamingValues): string {
  const name = template.replace(/\{(AppName|StreamName|UnixTimestamp|Sequence)\}/g, (_m, v) => {
    switch (v as NamingVariable) {
      case NamingVariable.AppName:
        return values.appName;
      case NamingVariable.StreamName:
        return values.streamName;
      case NamingVariable.UnixTimestamp:
        return String(values.unixTimestamp ?? '');
      case NamingVariable.Sequence:
        return String(values.sequence ?? '');
    }
  });
  const problem = objectNameProblem(name);
  if (problem) throw new UnsafeObjectNameError(name, problem);
  return name;
}
