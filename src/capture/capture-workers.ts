import { Worker } from 'node:worker_threads';
import type { CodecConfig } from '../stream/stream-types.js';
import { JpegEncodeError, KeyframeDecodeError } from './capture-errors.js';
import type { CaptureReply, CaptureTask } from './capture-worker.js';

/** One snapshot: the JPEG and the picture's display size. */
export interface KeyframeJpeg {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

interface Pending {
  resolve(value: KeyframeJpeg): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

/** A keyframe takes milliseconds (a 1080p one about 25 ms): a thread silent this long is stuck. */
export const DEFAULT_TASK_TIMEOUT_MS = 30_000;

/** Where the worker's code is: compiled JavaScript, or TypeScript under tsx (tests, bench). */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./capture-worker.js', here));
  // A worker does not inherit tsx's loader: register it first, then load the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./capture-worker.ts', here).href;
  const code =
    `import(${JSON.stringify(tsx)}).then((m) => m.register())` +
    `.then(() => import(${JSON.stringify(entry)}));`;
  return new Worker(code, { eval: true });
}

/**
 * A capture worker thread, one keyframe at a time. A worker that dies (a native crash kills
 * the process; this is for an exception or a resource limit) fails its keyframe with
 * KeyframeDecodeError and is replaced by the next run().
 */
class CaptureWorker {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #next = 1;

  constructor(private readonly timeoutMs: number) {}

  get busy(): boolean {
    return this.#pending.size > 0;
  }

  run(config: CodecConfig, data: Buffer, quality: number): Promise<KeyframeJpeg> {
    const worker = (this.#worker ??= this.#start());
    const id = this.#next++;
    // Copied into memory of its own and transferred: `data` is often a view of a larger
    // buffer (a socket read), which would otherwise be cloned whole.
    const bytes = new Uint8Array(data);
    const task: CaptureTask = {
      id,
      codec: config.codec,
      record: new Uint8Array(config.record),
      data: bytes,
      quality,
    };
    return new Promise<KeyframeJpeg>((resolve, reject) => {
      // A thread that does not answer (a native call that hangs) is stopped: its keyframe
      // fails and the next run() starts a new thread, so no slot stays taken for good.
      const timer = setTimeout(() => {
        this.#fail(worker, `no answer within ${this.timeoutMs} ms`);
        void worker.terminate();
      }, this.timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
      worker.ref(); // a keyframe in flight keeps the process alive; an idle worker does not
      try {
        worker.postMessage(task, [bytes.buffer]);
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (this.#pending.size === 0) worker.unref();
        reject(
          new KeyframeDecodeError(`cannot hand the keyframe to a capture thread`, { cause: err }),
        );
      }
    });
  }

  #start(): Worker {
    const worker = startWorker();
    worker.unref();
    worker.on('message', (reply: CaptureReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      clearTimeout(pending.timer);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if ('error' in reply) pending.reject(toError(reply.error));
      else {
        const { jpeg, width, height } = reply;
        pending.resolve({
          jpeg: Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength),
          width,
          height,
        });
      }
    });
    worker.on('messageerror', (err) => {
      this.#fail(worker, `unreadable reply: ${err.message}`);
      void worker.terminate();
    });
    worker.on('error', (err) => this.#fail(worker, err.message));
    worker.on('exit', (code) => this.#fail(worker, `exit code ${code}`));
    return worker;
  }

  /** `worker` is done for: its keyframes fail, and the next run() starts a new thread. */
  #fail(worker: Worker, why: string): void {
    if (this.#worker !== worker) return; // an earlier thread's late news
    this.#worker = undefined;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new KeyframeDecodeError(`capture worker stopped: ${why}`));
    }
    this.#pending.clear();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#fail(worker, 'closed');
    await worker.terminate();
  }
}

function toError(e: { code: string; message: string }): Error {
  return e.code === 'CAPTURE_JPEG_FAILED'
    ? new JpegEncodeError(e.message)
    : new KeyframeDecodeError(e.message);
}

/**
 * `size` capture worker threads, started when first needed. run() takes an idle one: the
 * caller (KeyframeDecoder's BoundedPool) never runs more than `size` keyframes at once.
 */
export class CaptureWorkers {
  readonly #workers: CaptureWorker[];

  constructor(size: number, options: { readonly timeoutMs?: number } = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    this.#workers = Array.from({ length: size }, () => new CaptureWorker(timeoutMs));
  }

  run(config: CodecConfig, data: Buffer, quality: number): Promise<KeyframeJpeg> {
    const idle = this.#workers.find((w) => !w.busy);
    if (!idle) return Promise.reject(new Error('no idle capture worker (more runs than workers)'));
    return idle.run(config, data, quality);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}
