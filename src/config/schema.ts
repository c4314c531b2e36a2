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
    /** Live snapshot jobs: pulled sources (spec §4; src/jobs/live-job-manager.ts). */
    liveJobs: z
      .object({
        /** Jobs running at once (not paused); more are refused with JobLimitExceeded. */
        maxActive: z.number().int().min(1).max(10_000).default(100),
        /** Opening a source (connect, handshake, first playlist) must finish within this. */
        openTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /** A connected source that sends no video for this long is dropped (and retried). */
        readTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /** After connecting, usable video (codec configuration and a keyframe) must come within this. */
        startTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
        /** First retry delay; doubles with each failed attempt. */
        backoffBaseMs: z.number().int().min(10).max(600_000).default(1000),
        /** Longest delay between two attempts. */
        backoffCapMs: z.number().int().min(10).max(3_600_000).default(30_000),
        /** Consecutive attempts failing like a broken source (garbage, silence) before the job stops. */
        maxBadAttempts: z.number().int().min(1).max(1000).default(3),
        /** Largest picture accepted; a larger source stops its job. */
        maxWidth: z.number().int().min(16).max(16_384).default(7680),
        maxHeight: z.number().int().min(16).max(16_384).default(4320),
        /** Largest compressed picture accepted (bytes). */
        maxPacketBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(256 * 1024 * 1024)
          .default(16 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /** Snapshot jobs on video files (spec §3; src/jobs/snapshot-job-service.ts). */
    jobs: z
      .object({
        /** Jobs running at once over all pipelines. */
        concurrency: z.number().int().min(1).max(64).default(2),
        /** Runs a job may start (restarts during a run count) before it fails. */
        maxAttempts: z.number().int().min(1).max(100).default(3),
        /** JPEG quality 1–100 of snapshots and sprite sheets. */
        jpegQuality: z.number().int().min(1).max(100).default(85),
        /** Receives every job's SnapshotComplete callback (besides UserData.NotifyAddress). */
        notifyUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Network inputs: a read that stalls this long fails the job. */
        ioTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
        /** Queues are checked this often besides wake-ups. */
        pollIntervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** The pipeline of jobs submitted without ScheduleConfig.PipelineId. */
        defaultPipeline: z.string().min(1).default('default'),
        /** Named queues (ScheduleConfig.PipelineId): own concurrency, priority 1 (low)–10. */
        pipelines: z
          .array(
            z
              .object({
                id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
                concurrency: z.number().int().min(1).max(64).default(1),
                priority: z.number().int().min(1).max(10).default(5),
              })
              .strict(),
          )
          .min(1)
          .default([{ id: 'default', concurrency: 2, priority: 5 }]),
      })
      .strict()
      .superRefine((jobs, ctx) => {
        const ids = jobs.pipelines.map((p) => p.id);
        if (new Set(ids).size !== ids.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['pipelines'],
            message: 'pipeline ids must be unique',
          });
        }
        if (!ids.includes(jobs.defaultPipeline)) {
          ctx.addIssue({
            code: 'custom',
            path: ['defaultPipeline'],
            message: `no pipeline "${jobs.defaultPipeline}" among jobs.pipelines`,
          });
        }
      })
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
