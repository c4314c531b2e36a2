import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import BetterSqlite3 from 'better-sqlite3';
import { waitFor } from './support/app-harness.js';
import { startReceiver } from './support/callback-receiver.js';
import { generateClip } from './support/media.js';
import { pushWithNodeAv } from './support/push.js';

const DOMAIN = 'kill.example.com';
const KEY = { id: 'LTAIrestarttest00001', secret: 'restart-secret-0123456789' };
const ROOT = new URL('..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Service {
  child: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

/** The real service (`src/main.ts serve`) as a child process, ready to take requests. */
async function spawnService(env: Record<string, string>, httpPort: number): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    'livesnap to listen',
    async () => {
      if (child.exitCode !== null) throw new Error(`livesnap exited early:\n${out}`);
      return fetch(`http://127.0.0.1:${httpPort}/`).then(
        () => true,
        () => undefined,
      );
    },
    30_000,
  );
  return { child, exited, output: () => out };
}

function outbox(dbFile: string): Array<{ event_id: string; state: string; attempts: number }> {
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT event_id, state, attempts FROM callback_outbox ORDER BY id')
      .all() as Array<{ event_id: string; state: string; attempts: number }>;
  } finally {
    db.close();
  }
}

test('callbacks pending when livesnap is killed with SIGKILL are delivered after a restart', async () => {
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'livesnap-kill-'));
  const [httpPort, rtmpPort] = [await freePort(), await freePort()];
  const env = {
    LIVESNAP_HOST: '127.0.0.1',
    LIVESNAP_HTTP_PORT: String(httpPort),
    LIVESNAP_RTMP_PORT: String(rtmpPort),
    LIVESNAP_DATA_DIR: dataDir,
    LIVESNAP_ACCESS_KEY_ID: KEY.id,
    LIVESNAP_ACCESS_KEY_SECRET: KEY.secret,
    LIVESNAP_LOG_LEVEL: process.env.LIVESNAP_TEST_LOG ?? 'warn',
    LIVESNAP_NOTIFY_BACKOFF_BASE_MS: '300',
    LIVESNAP_NOTIFY_BACKOFF_CAP_MS: '1000',
    LIVESNAP_NOTIFY_MAX_ATTEMPTS: '1000',
  };
  const dbFile = join(dataDir, 'livesnap.db');
  let service: Service | undefined;
  try {
    const clip = await generateClip({
      codec: 'h264',
      width: 640,
      height: 360,
      fps: 25,
      frames: 313,
      gop: 25,
    });
    service = await spawnService(env, httpPort);
    const live = new RPCClient({
      endpoint: `http://127.0.0.1:${httpPort}`,
      apiVersion: '2016-11-01',
      accessKeyId: KEY.id,
      accessKeySecret: KEY.secret,
    });
    const post = { method: 'POST' } as const;
    await live.request(
      'AddLiveSnapshotNotifyConfig',
      { DomainName: DOMAIN, NotifyUrl: receiver.url('/kill') },
      post,
    );
    await live.request(
      'AddLiveAppSnapshotConfig',
      {
        DomainName: DOMAIN,
        AppName: 'live',
        TimeInterval: 5,
        OssEndpoint: 'local',
        OssBucket: 'snaps',
        OverwriteOssObject: '{AppName}/{StreamName}.jpg',
        SequenceOssObject: 'seq/{AppName}/{StreamName}/{Sequence}.jpg',
      },
      post,
    );

    await receiver.stop(); // the receiver is down while the stream is captured
    const url = `rtmp://127.0.0.1:${rtmpPort}/live/cam1?vhost=${DOMAIN}`;
    await pushWithNodeAv(clip, url, { realtime: false }).done;
    // 3 captures × 2 objects + publish + unpublish, each already tried and failed
    await waitFor('8 failing callbacks in the outbox', () => {
      const rows = outbox(dbFile);
      return rows.length === 8 && rows.every((r) => r.attempts >= 1) ? rows : undefined;
    });
    service.child.kill('SIGKILL');
    await service.exited;
    const before = outbox(dbFile);
    assert.equal(before.length, 8);
    assert.ok(
      before.every((r) => r.state === 'pending' || r.state === 'delivering'),
      JSON.stringify(before),
    );

    service = await spawnService(env, httpPort);
    await receiver.start(); // same port
    await receiver.until(
      'all 8 callbacks after the restart',
      () => receiver.eventIds().size === 8,
      15_000,
    );
    assert.deepEqual([...receiver.eventIds()].sort(), before.map((r) => r.event_id).sort());
    assert.equal(receiver.events('LiveSnapshot').length >= 6, true);
    await waitFor('outbox delivered', () =>
      outbox(dbFile).every((r) => r.state === 'delivered') ? true : undefined,
    );
  } finally {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
