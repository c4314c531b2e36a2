/** Small process and network helpers shared by the benchmark's parts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { accessSync, constants } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `probe` is true; false on timeout or when `abort` says so. */
export async function waitFor(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  abort: () => boolean = () => false,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (abort()) return false;
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Full path of an executable found on PATH (plus /usr/sbin, /sbin), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command to completion; stdout+stderr, never throws. */
export function capture(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string } = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    } catch (err) {
      resolve({ code: null, out: String(err) });
      return;
    }
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => resolve({ code: null, out: String(err) }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Keeps the last lines a child wrote to a stream, for diagnosis. */
export function tail(stream: NodeJS.ReadableStream | null, lines = 20): () => string[] {
  const kept: string[] = [];
  let partial = '';
  stream?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      kept.push(line);
      if (kept.length > lines) kept.shift();
    }
  });
  return () => (partial.trim() ? [...kept, partial] : [...kept]);
}

/** Signals a child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
export async function terminate(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Number of .jpg files in a directory (0 when it does not exist). */
export async function countJpegs(dir: string): Promise<number> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.jpg')).length;
  } catch {
    return 0;
  }
}
