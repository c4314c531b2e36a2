/**
 * The parent's handle on the load generator process: fork, publish, play, stats, stop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadStats, PublishReport } from './load.js';

export type LoadRequest =
  { cmd: 'publish'; options: LoadOptions } | { cmd: 'play' } | { cmd: 'stats' } | { cmd: 'stop' };

export type LoadReply =
  | { ev: 'published'; report: PublishReport }
  | { ev: 'playing' }
  | { ev: 'stats'; stats: LoadStats }
  | { ev: 'stopped'; stats: LoadStats }
  | { ev: 'error'; error: string };

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));

export class LoadProcess {
  readonly #child: ChildProcess;
  #exited = false;

  constructor() {
    this.#child = fork(CHILD, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('exit', () => {
      this.#exited = true;
    });
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error('load generator did not start');
    return this.#child.pid;
  }

  #request<E extends LoadReply['ev']>(
    request: LoadRequest,
    expect: E,
    timeoutMs: number,
  ): Promise<Extract<LoadReply, { ev: E }>> {
    return new Promise((resolve, reject) => {
      if (this.#exited) {
        reject(new Error('load generator has exited'));
        return;
      }
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`load generator: no "${expect}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (raw: unknown): void => {
        const message = raw as LoadReply;
        if (message.ev === 'error') {
          cleanup();
          reject(new Error(`load generator: ${message.error}`));
        } else if (message.ev === expect) {
          cleanup();
          resolve(message as Extract<LoadReply, { ev: E }>);
        }
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error('load generator exited'));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
      };
      this.#child.on('message', onMessage);
      this.#child.on('exit', onExit);
      this.#child.send(request);
    });
  }

  async publish(options: LoadOptions): Promise<PublishReport> {
    const timeout = 30_000 + options.streams.length * 500;
    return (await this.#request({ cmd: 'publish', options }, 'published', timeout)).report;
  }

  async play(): Promise<void> {
    await this.#request({ cmd: 'play' }, 'playing', 10_000);
  }

  async stats(): Promise<LoadStats> {
    return (await this.#request({ cmd: 'stats' }, 'stats', 10_000)).stats;
  }

  /** Stops the replay, closes every connection and waits for the process to exit. */
  async stop(): Promise<LoadStats | undefined> {
    if (this.#exited) return undefined;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    let stats: LoadStats | undefined;
    try {
      stats = (await this.#request({ cmd: 'stop' }, 'stopped', 10_000)).stats;
    } catch {
      // fall through to kill
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    return stats;
  }
}
