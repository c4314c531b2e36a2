/**
 * Error registry. Every error livesnap raises internally carries a stable code and an
 * optional cause. API-facing errors (the spec's RPC codes) live in src/api/api-error.ts and
 * extend LivesnapError too.
 *
 * "Do not retry" is a type (PermanentError), never a string match.
 */
export class LivesnapError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A failure that will fail again the same way: callers must not retry it. */
export class PermanentError extends LivesnapError {}

/** Invalid configuration; `key` names the offending configuration key. */
export class ConfigError extends PermanentError {
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', `${key}: ${message}`, options);
    this.key = key;
  }
}

/** Bytes received from a peer that break the protocol; the connection is closed. */
export class ProtocolError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_ERROR', message, options);
  }
}

/** Media bytes (FLV tag, parameter set) that cannot be parsed. */
export class MediaFormatError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MEDIA_FORMAT', message, options);
  }
}

/** A second publisher for a stream that is already live. */
export class StreamBusyError extends PermanentError {
  constructor(streamId: string) {
    super('STREAM_BUSY', `stream ${streamId} is already being published`);
  }
}

/** The publish target does not take this stream (e.g. a reserved domain). */
export class StreamRefusedError extends PermanentError {
  constructor(reason: string) {
    super('STREAM_REFUSED', reason);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
