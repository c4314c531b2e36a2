import { ApiError } from './api-error.js';

/** Most parameters one request may carry (bounds the work done before authentication). */
export const MAX_PARAMS = 1000;

/**
 * Decodes an `application/x-www-form-urlencoded` string (a query string or a form body)
 * into name/value pairs, in order: `+` → space, `%XY` → byte, UTF-8. Empty segments
 * (`a=1&&b=2`) are skipped; a segment without `=` has the empty value. Malformed
 * percent-encoding and empty names are refused with `InvalidParameter`.
 */
export function decodeForm(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (text === '') return out;
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawName = eq < 0 ? segment : segment.slice(0, eq);
    const rawValue = eq < 0 ? '' : segment.slice(eq + 1);
    const name = decodeComponent(rawName);
    if (name === '') {
      throw new ApiError('InvalidParameter', { message: 'A parameter without a name was sent.' });
    }
    out.push([name, decodeComponent(rawValue)]);
    if (out.length > MAX_PARAMS) {
      throw new ApiError('InvalidParameter', {
        message: `The request carries more than ${MAX_PARAMS} parameters.`,
      });
    }
  }
  return out;
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch (err) {
    throw new ApiError('InvalidParameter', {
      message: 'The request parameters are not correctly percent-encoded.',
      cause: err,
    });
  }
}

/**
 * Merges query and body pairs into one map. A name given twice (in either place, or in
 * both) is refused with `InvalidParameter`: the spec leaves it undefined (§1.5), and any
 * silent choice would sign one thing and act on another.
 */
export function mergeParams(
  ...sources: ReadonlyArray<ReadonlyArray<readonly [string, string]>>
): Map<string, string> {
  const merged = new Map<string, string>();
  for (const pairs of sources) {
    for (const [name, value] of pairs) {
      if (merged.has(name)) {
        throw new ApiError('InvalidParameter', {
          message: `The specified parameter "${name.slice(0, 128)}" is not valid: it is given more than once.`,
        });
      }
      merged.set(name, value);
    }
    if (merged.size > MAX_PARAMS) {
      throw new ApiError('InvalidParameter', {
        message: `The request carries more than ${MAX_PARAMS} parameters.`,
      });
    }
  }
  return merged;
}
