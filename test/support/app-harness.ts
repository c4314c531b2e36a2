import '../../src/util/polyfill.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import RPCClient from '@alicloud/pop-core';
import { App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';

export const TEST_KEY = {
  accessKeyId: 'LTAItestharness000001',
  accessKeySecret: 'harness-secret-0123456789abcdef',
};

export interface Harness {
  app: App;
  dataDir: string;
  httpUrl: string;
  rtmpPort: number;
  rtmpUrl(app: string, stream: string, vhost?: string): string;
  live: RPCClient;
  /** A pop-core client for the ICE API (2020-11-09). */
  ice: RPCClient;
  close(): Promise<void>;
}

/**
 * A whole livesnap (ingest, capture, API) on 127.0.0.1 with ephemeral ports and a temp data
 * dir, plus a pop-core client for the Live API. `overrides` are config keys (dotted).
 */
export async function startApp(
  overrides: Record<string, unknown> = {},
  options: AppOptions & { dataDir?: string } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'livesnap-e2e-')));
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      httpPort: 0,
      rtmpPort: 0,
      dataDir,
      accessKeyId: TEST_KEY.accessKeyId,
      accessKeySecret: TEST_KEY.accessKeySecret,
      logLevel: process.env.LIVESNAP_TEST_LOG ?? 'silent',
      ...overrides,
    },
  });
  const app = new App(config, createLogger(config.logLevel), {
    qpsOverrides: { '*': 0 },
    processMetrics: false,
    ...options,
  });
  const addresses = await app.start();
  const live = new RPCClient({
    endpoint: addresses.http.url,
    apiVersion: '2016-11-01',
    accessKeyId: TEST_KEY.accessKeyId,
    accessKeySecret: TEST_KEY.accessKeySecret,
  });
  const ice = new RPCClient({
    endpoint: addresses.http.url,
    apiVersion: '2020-11-09',
    accessKeyId: TEST_KEY.accessKeyId,
    accessKeySecret: TEST_KEY.accessKeySecret,
  });
  return {
    app,
    dataDir,
    httpUrl: addresses.http.url,
    rtmpPort: addresses.rtmp.port,
    rtmpUrl: (appName, stream, vhost) =>
      `rtmp://127.0.0.1:${addresses.rtmp.port}/${appName}/${stream}${vhost ? `?vhost=${vhost}` : ''}`,
    live,
    ice,
    close: async () => {
      await app.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
