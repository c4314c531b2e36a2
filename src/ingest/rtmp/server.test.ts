import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { silentLogger } from '../../log.js';
import type { PublishTarget } from '../../stream/stream-types.js';
import { RtmpServer, type RtmpServerOptions } from './server.js';

const target: PublishTarget = {
  publish: () => {
    throw new Error('not used');
  },
};
const options = (over: Partial<RtmpServerOptions> = {}): RtmpServerOptions => ({
  host: '127.0.0.1',
  port: 0,
  limits: {
    idleTimeoutMs: 60_000,
    handshakeTimeoutMs: 60_000,
    maxMessageSize: 1 << 20,
    maxConnections: 2,
  },
  target,
  logger: silentLogger(),
  ...over,
});

const connectSilently = async (port: number): Promise<net.Socket> => {
  const s = net.connect(port, '127.0.0.1');
  s.resume();
  await new Promise((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.on('error', () => undefined);
  return s;
};

describe('rtmp server', () => {
  it('reports its ephemeral port, enforces the connection limit, close() destroys everything', async () => {
    const server = new RtmpServer(options());
    const { port, tlsPort } = await server.start();
    assert.ok(port > 0);
    assert.equal(tlsPort, undefined);
    const a = await connectSilently(port);
    const b = await connectSilently(port);
    const c = await connectSilently(port);
    await new Promise((r) => c.once('close', r));
    assert.equal(server.connections, 2);
    const closedA = new Promise((r) => a.once('close', r));
    const closedB = new Promise((r) => b.once('close', r));
    const t0 = Date.now();
    await server.close();
    await Promise.all([closedA, closedB]);
    assert.ok(Date.now() - t0 < 1000, 'close() does not wait for clients');
    assert.equal(server.connections, 0);
    await assert.rejects(connectSilently(port));
  });

  it('a failed start (port in use, bad certificate) rejects and leaves nothing listening', async () => {
    const first = new RtmpServer(options());
    const { port } = await first.start();
    const second = new RtmpServer(options({ port }));
    await assert.rejects(second.start(), /EADDRINUSE/);
    await first.close();

    const bad = new RtmpServer(options({ tls: { cert: 'nope', key: 'nope', port: 0 } }));
    await assert.rejects(bad.start());
    assert.equal(bad.connections, 0);
  });

  it('start() twice is an error', async () => {
    const server = new RtmpServer(options());
    await server.start();
    await assert.rejects(server.start(), /already started/);
    await server.close();
  });
});
