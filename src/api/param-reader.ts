import { ApiError } from './api-error.js';
import type { ApiErrorKey } from './error-codes.js';

/** Which codes a reader raises; the Live notify family uses MissingParam / MalformedParam. */
export interface ParamErrorCodes {
  missing: (name: string) => ApiError;
  invalid: (name: string, detail?: string) => ApiError;
}

export const standardParamCodes: ParamErrorCodes = {
  missing: (name) => new ApiError('MissingParameter', { args: [name] }),
  invalid: (name, detail) =>
    new ApiError('InvalidParameter', {
      args: [name],
      message: detail ? `The specified parameter "${name}" is not valid: ${detail}.` : undefined,
    }),
};

export const notifyParamCodes: ParamErrorCodes = {
  missing: (name) => new ApiError('MissingParam', { args: [`Parameter ${name} is missing`] }),
  invalid: (name, detail) =>
    new ApiError('MalformedParam', {
      args: [`Parameter ${name} is malformed${detail ? ` (${detail})` : ''}`],
    }),
};

export interface StringOptions {
  minLength?: number;
  /** In characters (UTF-16 code units are close enough for the ASCII-only fields here). */
  maxLength?: number;
  pattern?: RegExp;
  /** Error raised when the value is present but not valid (default: the reader's invalid). */
  code?: ApiErrorKey;
}

export interface IntegerOptions {
  min?: number;
  max?: number;
  code?: ApiErrorKey;
}

export interface ListOptions {
  maxItems: number;
  minItems?: number;
  itemMaxLength?: number;
}

const INTEGER = /^-?\d{1,16}$/;
const MAX_VALUE_LENGTH_DEFAULT = 4096;

/**
 * Typed access to the request's parameters. Required readers treat an empty value as
 * missing; optional readers treat it as absent. Every failure is an ApiError with the
 * family's code and a message naming the parameter.
 */
export class ParamReader {
  constructor(
    private readonly params: ReadonlyMap<string, string>,
    private readonly codes: ParamErrorCodes = standardParamCodes,
  ) {}

  has(name: string): boolean {
    const v = this.params.get(name);
    return v !== undefined && v !== '';
  }

  /** The raw value as received, or undefined. */
  raw(name: string): string | undefined {
    return this.params.get(name);
  }

  missing(name: string): ApiError {
    return this.codes.missing(name);
  }

  invalid(name: string, detail?: string, code?: ApiErrorKey): ApiError {
    return code ? new ApiError(code, { args: [name] }) : this.codes.invalid(name, detail);
  }

  string(name: string, opts: StringOptions = {}): string {
    const v = this.optionalString(name, opts);
    if (v === undefined) throw this.codes.missing(name);
    return v;
  }

  optionalString(name: string, opts: StringOptions = {}): string | undefined {
    const v = this.params.get(name);
    if (v === undefined || v === '') return undefined;
    const max = opts.maxLength ?? MAX_VALUE_LENGTH_DEFAULT;
    if (v.length > max) throw this.invalid(name, `longer than ${max} characters`, opts.code);
    if (opts.minLength !== undefined && v.length < opts.minLength) {
      throw this.invalid(name, `shorter than ${opts.minLength} characters`, opts.code);
    }
    if (opts.pattern && !opts.pattern.test(v)) throw this.invalid(name, undefined, opts.code);
    return v;
  }

  integer(name: string, opts: IntegerOptions = {}): number {
    const v = this.optionalInteger(name, opts);
    if (v === undefined) throw this.codes.missing(name);
    return v;
  }

  optionalInteger(name: string, opts: IntegerOptions = {}): number | undefined {
    const raw = this.optionalString(name, { maxLength: 32, code: opts.code });
    if (raw === undefined) return undefined;
    const n = INTEGER.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) throw this.invalid(name, 'not an integer', opts.code);
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      const range = `${opts.min ?? '-∞'}–${opts.max ?? '∞'}`;
      throw this.invalid(name, `must be in ${range}`, opts.code);
    }
    return n;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const v = this.optionalOneOf(name, values);
    if (v === undefined) throw this.codes.missing(name);
    return v;
  }

  optionalOneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const raw = this.optionalString(name, { maxLength: 64 });
    if (raw === undefined) return undefined;
    const found = values.find((x) => x === raw);
    if (found === undefined) throw this.invalid(name, `must be one of ${values.join(', ')}`);
    return found;
  }

  boolean(name: string): boolean {
    const v = this.optionalBoolean(name);
    if (v === undefined) throw this.codes.missing(name);
    return v;
  }

  /** `true` / `false`, case-insensitive. */
  optionalBoolean(name: string): boolean | undefined {
    const raw = this.optionalString(name, { maxLength: 8 });
    if (raw === undefined) return undefined;
    const lower = raw.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw this.invalid(name, 'must be true or false');
  }

  list(name: string, opts: ListOptions): string[] {
    const v = this.optionalList(name, opts);
    if (v === undefined) throw this.codes.missing(name);
    return v;
  }

  /**
   * A list given either as `Name.1`, `Name.2`, … (1-based, no gaps) or as `Name` holding a
   * JSON array of strings / numbers (spec §1.3). Both at once is refused.
   */
  optionalList(name: string, opts: ListOptions): string[] | undefined {
    const indexed = new Map<number, string>();
    const prefix = `${name}.`;
    for (const [key, value] of this.params) {
      if (!key.startsWith(prefix)) continue;
      const idx = key.slice(prefix.length);
      if (!/^[1-9]\d{0,5}$/.test(idx)) throw this.invalid(key);
      indexed.set(Number(idx), value);
    }
    const json = this.params.get(name);
    let items: string[] | undefined;
    if (indexed.size > 0) {
      if (json !== undefined) throw this.invalid(name, `both ${name} and ${name}.N given`);
      if (indexed.size > opts.maxItems)
        throw this.invalid(name, `more than ${opts.maxItems} items`);
      items = [];
      for (let i = 1; i <= indexed.size; i++) {
        const item = indexed.get(i);
        if (item === undefined) throw this.invalid(name, `${name}.${i} is missing`);
        items.push(item);
      }
    } else if (json !== undefined && json !== '') {
      items = this.parseJsonList(name, json, opts.maxItems);
    }
    if (items === undefined) return undefined;
    if (opts.minItems !== undefined && items.length < opts.minItems) {
      throw this.invalid(name, `fewer than ${opts.minItems} items`);
    }
    const maxLen = opts.itemMaxLength ?? MAX_VALUE_LENGTH_DEFAULT;
    if (items.some((x) => x.length > maxLen)) throw this.invalid(name, 'an item is too long');
    return items;
  }

  /** A parameter holding JSON text (ICE "shrink" parameters). */
  optionalJson(name: string, maxLength = 64 * 1024): unknown {
    const raw = this.optionalString(name, { maxLength });
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw this.invalid(name, 'not valid JSON');
    }
  }

  private parseJsonList(name: string, json: string, maxItems: number): string[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw this.invalid(name, 'not a JSON array');
    }
    if (!Array.isArray(parsed)) throw this.invalid(name, 'not a JSON array');
    if (parsed.length > maxItems) throw this.invalid(name, `more than ${maxItems} items`);
    return parsed.map((x: unknown) => {
      if (typeof x === 'string') return x;
      if (typeof x === 'number' && Number.isFinite(x)) return String(x);
      throw this.invalid(name, 'items must be strings or numbers');
    });
  }
}
