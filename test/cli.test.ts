import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const main = ['--import', 'tsx', join(root, 'src/main.ts')];

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...main, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

test('--help, --version and unknown commands', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /livesnap serve/);
  const version = run(['--version']);
  assert.equal(version.status, 0);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
  const bad = run(['fly']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command "fly"/);
});

test('invalid configuration stops startup with a message naming the key', () => {
  const res = run(['serve'], { LIVESNAP_RTMP_PORT: 'x1935' });
  assert.equal(res.status, 78);
  assert.match(res.stderr, /invalid configuration: LIVESNAP_RTMP_PORT: expected an integer/);
  const dir = mkdtempSync(join(tmpdir(), 'livesnap-cli-'));
  const file = join(dir, 'bad.json');
  spawnSync('sh', ['-c', `echo '{"capture":{"jpegQualty":80}}' > ${file}`]);
  const res2 = run(['serve', '--config', file]);
  assert.equal(res2.status, 78);
  assert.match(res2.stderr, /capture\.jpegQualty/);
});

test('serve generates and saves a root key once, logs JSON lines, and SIGTERM closes everything', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'livesnap-cli-'));
  const [httpPort, rtmpPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LIVESNAP_DATA_DIR: dataDir,
    LIVESNAP_HTTP_PORT: String(httpPort),
    LIVESNAP_RTMP_PORT: String(rtmpPort),
    LIVESNAP_HOST: '127.0.0.1',
  };
  delete env.LIVESNAP_ACCESS_KEY_ID;
  delete env.LIVESNAP_ACCESS_KEY_SECRET;

  const start = async () => {
    const child = spawn(process.execPath, [...main, 'serve'], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('livesnap started')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { child, out: () => stdout, err: () => stderr };
  };

  const first = await start();
  assert.match(first.out(), /AccessKeySecret: \S{30}/, 'the generated secret is printed once');
  const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    accessKeySecret: string;
  };
  assert.equal(statSync(join(dataDir, 'credentials.json')).mode & 0o777, 0o600);
  assert.ok(!first.err().includes(creds.accessKeySecret), 'the secret never reaches the logs');
  for (const line of first.err().trim().split('\n')) JSON.parse(line);
  const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  assert.equal(health.status, 200);
  const rtmp = net.connect(rtmpPort, '127.0.0.1');
  await new Promise((r, j) => rtmp.once('connect', r).once('error', j));

  const exited = new Promise<number | null>((r) => first.child.once('exit', (code) => r(code)));
  const rtmpClosed = new Promise((r) => rtmp.once('close', r));
  first.child.kill('SIGTERM');
  assert.equal(await exited, 0);
  await rtmpClosed; // open connections are closed, not left dangling
  assert.match(first.err(), /shutting down/);
  await assert.rejects(fetch(`http://127.0.0.1:${httpPort}/healthz`));

  // the second start reuses the saved key and prints no secret
  const second = await start();
  assert.doesNotMatch(second.out(), /AccessKeySecret/);
  const stopped = new Promise((r) => second.child.once('exit', r));
  second.child.kill('SIGINT');
  await stopped;
});
