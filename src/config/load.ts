import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../errors.js';
import { configSchema, type Config } from './schema.js';

type Kind = 'string' | 'int' | 'bool';

/** Environment variables and the config key each one sets. */
export const ENV_KEYS: ReadonlyArray<{ env: string; key: string; kind: Kind }> = [
  { env: 'LIVESNAP_HOST', key: 'host', kind: 'string' },
  { env: 'LIVESNAP_HTTP_PORT', key: 'httpPort', kind: 'int' },
  { env: 'LIVESNAP_RTMP_PORT', key: 'rtmpPort', kind: 'int' },
  { env: 'LIVESNAP_RTMPS_PORT', key: 'rtmpsPort', kind: 'int' },
  { env: 'LIVESNAP_TLS_CERT_FILE', key: 'tlsCertFile', kind: 'string' },
  { env: 'LIVESNAP_TLS_KEY_FILE', key: 'tlsKeyFile', kind: 'string' },
  { env: 'LIVESNAP_DATA_DIR', key: 'dataDir', kind: 'string' },
  { env: 'LIVESNAP_ACCESS_KEY_ID', key: 'accessKeyId', kind: 'string' },
  { env: 'LIVESNAP_ACCESS_KEY_SECRET', key: 'accessKeySecret', kind: 'string' },
  { env: 'LIVESNAP_PUBLIC_URL', key: 'publicUrl', kind: 'string' },
  { env: 'LIVESNAP_DATABASE_URL', key: 'databaseUrl', kind: 'string' },
  { env: 'LIVESNAP_LOG_LEVEL', key: 'logLevel', kind: 'string' },
  { env: 'LIVESNAP_RTMP_IDLE_TIMEOUT_MS', key: 'rtmp.idleTimeoutMs', kind: 'int' },
  { env: 'LIVESNAP_RTMP_HANDSHAKE_TIMEOUT_MS', key: 'rtmp.handshakeTimeoutMs', kind: 'int' },
  { env: 'LIVESNAP_RTMP_MAX_MESSAGE_SIZE', key: 'rtmp.maxMessageSize', kind: 'int' },
  { env: 'LIVESNAP_RTMP_MAX_CONNECTIONS', key: 'rtmp.maxConnections', kind: 'int' },
  { env: 'LIVESNAP_HUB_SUBSCRIBER_QUEUE', key: 'hub.subscriberQueue', kind: 'int' },
  { env: 'LIVESNAP_CAPTURE_JPEG_QUALITY', key: 'capture.jpegQuality', kind: 'int' },
  { env: 'LIVESNAP_CAPTURE_CONCURRENCY', key: 'capture.concurrency', kind: 'int' },
  { env: 'LIVESNAP_CAPTURE_BACKLOG', key: 'capture.backlog', kind: 'int' },
  { env: 'LIVESNAP_STORAGE_PUBLIC_READ', key: 'storage.publicRead', kind: 'bool' },
  { env: 'LIVESNAP_NOTIFY_TIMEOUT_MS', key: 'notify.timeoutMs', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_MAX_ATTEMPTS', key: 'notify.maxAttempts', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_BACKOFF_BASE_MS', key: 'notify.backoffBaseMs', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_BACKOFF_CAP_MS', key: 'notify.backoffCapMs', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_CONCURRENCY', key: 'notify.concurrency', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_PER_HOST_CONCURRENCY', key: 'notify.perHostConcurrency', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_MAX_BODY_BYTES', key: 'notify.maxBodyBytes', kind: 'int' },
  { env: 'LIVESNAP_NOTIFY_POLL_INTERVAL_MS', key: 'notify.pollIntervalMs', kind: 'int' },
  {
    env: 'LIVESNAP_NOTIFY_DELIVERED_RETENTION_MS',
    key: 'notify.deliveredRetentionMs',
    kind: 'int',
  },
  { env: 'LIVESNAP_NOTIFY_DEAD_RETENTION_MS', key: 'notify.deadRetentionMs', kind: 'int' },
  { env: 'LIVESNAP_LIVE_JOBS_MAX_ACTIVE', key: 'liveJobs.maxActive', kind: 'int' },
  { env: 'LIVESNAP_LIVE_JOBS_OPEN_TIMEOUT_MS', key: 'liveJobs.openTimeoutMs', kind: 'int' },
  { env: 'LIVESNAP_LIVE_JOBS_READ_TIMEOUT_MS', key: 'liveJobs.readTimeoutMs', kind: 'int' },
  { env: 'LIVESNAP_LIVE_JOBS_BACKOFF_CAP_MS', key: 'liveJobs.backoffCapMs', kind: 'int' },
  { env: 'LIVESNAP_JOBS_CONCURRENCY', key: 'jobs.concurrency', kind: 'int' },
  { env: 'LIVESNAP_JOBS_MAX_ATTEMPTS', key: 'jobs.maxAttempts', kind: 'int' },
  { env: 'LIVESNAP_JOBS_JPEG_QUALITY', key: 'jobs.jpegQuality', kind: 'int' },
  { env: 'LIVESNAP_JOBS_NOTIFY_URL', key: 'jobs.notifyUrl', kind: 'string' },
];

function convert(env: string, raw: string, kind: Kind): unknown {
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    if (/^(1|true|yes)$/i.test(raw)) return true;
    if (/^(0|false|no)$/i.test(raw)) return false;
    throw new ConfigError(env, `expected true or false, got "${raw}"`);
  }
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(env, `expected an integer, got "${raw}"`);
  return Number(raw.trim());
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON config file; LIVESNAP_CONFIG in env names one too. */
  file?: string;
  /** Values that win over everything (tests, programmatic use). */
  overrides?: Record<string, unknown>;
}

/**
 * Builds the configuration: defaults, then the optional JSON file, then environment
 * variables, then explicit overrides. Any invalid value throws a ConfigError naming the key
 * (and the environment variable when it came from one).
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.LIVESNAP_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError('config file', `cannot read ${file}: ${errorMessage(err)}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('the top level must be a JSON object');
      }
      raw = parsed as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError('config file', `${file} is not valid JSON: ${errorMessage(err)}`);
    }
  }
  const fromEnv = new Map<string, string>();
  for (const { env: name, key, kind } of ENV_KEYS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, key, convert(name, value, kind));
    fromEnv.set(key, name);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) setPath(raw, key, value);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = [...issue.path.map(String), ...unknownKeys(issue)].join('.') || '(root)';
    const envName = fromEnv.get(key);
    throw new ConfigError(envName ? `${key} (${envName})` : key, issue.message);
  }
  const config = result.data;
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ConfigError(
      config.tlsCertFile ? 'tlsKeyFile' : 'tlsCertFile',
      'RTMPS needs both tlsCertFile and tlsKeyFile',
    );
  }
  if ((config.accessKeyId === undefined) !== (config.accessKeySecret === undefined)) {
    throw new ConfigError(
      config.accessKeyId ? 'accessKeySecret' : 'accessKeyId',
      'set both the access key id and its secret, or neither',
    );
  }
  if (config.notify.backoffCapMs < config.notify.backoffBaseMs) {
    throw new ConfigError('notify.backoffCapMs', 'must not be below notify.backoffBaseMs');
  }
  return config;
}

function unknownKeys(issue: z.core.$ZodIssue): string[] {
  return issue.code === 'unrecognized_keys' ? [issue.keys.join(', ')] : [];
}
