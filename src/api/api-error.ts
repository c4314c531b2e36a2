import { LivesnapError } from '../errors.js';
import { ApiErrors, formatApiMessage, type ApiErrorKey, type ApiErrorSpec } from './error-codes.js';

export interface ApiErrorOptions {
  /** Replaces the `%s` placeholders of the registered message. */
  args?: readonly string[];
  /** Replaces the registered message entirely. */
  message?: string;
  cause?: unknown;
}

/**
 * An error answered to an RPC caller: the spec's `Code` string, an HTTP status and a
 * message. Raise it from anywhere below an action handler; the protocol layer turns it
 * into the error envelope. Any other thrown error becomes `InternalError` (500).
 */
export class ApiError extends LivesnapError {
  readonly httpStatus: number;

  constructor(spec: ApiErrorKey | ApiErrorSpec, options: ApiErrorOptions = {}) {
    const s: ApiErrorSpec = typeof spec === 'string' ? ApiErrors[spec] : spec;
    const message = options.message ?? formatApiMessage(s.message, options.args ?? []);
    super(s.code, message, { cause: options.cause });
    this.httpStatus = s.status;
  }
}

/** Shorthand: `apiError('MissingParameter', 'DomainName')`. */
export function apiError(key: ApiErrorKey, ...args: string[]): ApiError {
  return new ApiError(key, { args });
}
