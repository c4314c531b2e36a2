import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const level = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The one configuration schema: every key, its type, range and default. Unknown keys are
 * rejected (`strict`) so a typo in a config file fails at startup instead of being ignored.
 */
export const configSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    httpPort: port.default(8080),
    rtmpPort: port.default(1935),
    /** RTMPS listens only when both tlsCertFile and tlsKeyFile are set. */
    rtmpsPort: port.default(1936),
    tlsCertFile: z.string().min(1).optional(),
    tlsKeyFile: z.string().min(1).optional(),
    dataDir: z.string().min(1).default('./data'),
    accessKeyId: z.string().min(1).max(128).optional(),
    accessKeySecret: z.string().min(8).max(256).optional(),
    publicUrl: z.url().optional(),
    databaseUrl: z.string().min(1).optional(),
    logLevel: level.default('info'),
    rtmp: z
      .object({
        /** A connection that has sent nothing for this long is closed. */
        idleTimeoutMs: z.number().int().min(1000).max(3_600_000).default(30_000),
        /** The handshake must complete within this time. */
        handshakeTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
        /** Largest RTMP message accepted (bytes); larger ones close the connection. */
        maxMessageSize: z
          .number()
          .int()
          .min(64 * 1024)
          .max(64 * 1024 * 1024)
          .default(16 * 1024 * 1024),
        /** Concurrent RTMP connections accepted. */
        maxConnections: z.number().int().min(1).max(100_000).default(2000),
      })
      .strict()
      .prefault({}),
    hub: z
      .object({
        /** Access units a subscriber may have waiting before new ones are dropped. */
        subscriberQueue: z.number().int().min(1).max(100_000).default(256),
      })
      .strict()
      .prefault({}),
    capture: z
      .object({
        /** JPEG quality 1 (smallest) to 100 (best). */
        jpegQuality: z.number().int().min(1).max(100).default(85),
        /** Keyframes decoded at once. */
        concurrency: z.number().int().min(1).max(64).default(2),
        /** Keyframes waiting for a decoder before new ones are skipped. */
        backlog: z.number().int().min(0).max(10_000).default(64),
      })
      .strict()
      .prefault({}),
    notify: z
      .object({
        /** One delivery attempt (connect, request, response headers) must finish within this. */
        timeoutMs: z.number().int().min(100).max(120_000).default(5000),
        /** Attempts per callback (the first one included) before it is dead-lettered. */
        maxAttempts: z.number().int().min(1).max(1000).default(15),
        /** Delay before the first retry; doubles with each further attempt (plus jitter). */
        backoffBaseMs: z.number().int().min(1).max(3_600_000).default(1000),
        /** Longest delay between two attempts (Retry-After is honoured up to this). */
        backoffCapMs: z.number().int().min(1).max(86_400_000).default(900_000),
        /** Deliveries in flight at once, over all receivers. */
        concurrency: z.number().int().min(1).max(4096).default(64),
        /** Deliveries in flight at once to one receiver host (host:port). */
        perHostConcurrency: z.number().int().min(1).max(1024).default(4),
        /** Bytes of a receiver's answer read at most (the rest is dropped). */
        maxBodyBytes: z
          .number()
          .int()
          .min(0)
          .max(16 * 1024 * 1024)
          .default(64 * 1024),
        /** How often the outbox is checked for due entries besides wake-ups. */
        pollIntervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** Delivered callbacks are deleted after this long. */
        deliveredRetentionMs: z
          .number()
          .int()
          .min(0)
          .max(3_650 * 86_400_000)
          .default(86_400_000),
        /** Dead letters are deleted after this long. */
        deadRetentionMs: z
          .number()
          .int()
          .min(0)
          .max(3_650 * 86_400_000)
          .default(30 * 86_400_000),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /** Serve stored files without a signature (only for trusted networks). */
        publicRead: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
