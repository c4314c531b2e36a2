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
