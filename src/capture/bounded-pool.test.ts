import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedPool } from './bounded-pool.js';
import { CaptureClosedError, CaptureOverloadedError } from './capture-errors.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BoundedPool', () => {
  it('runs at most `concurrency` tasks, queues up to `backlog`, rejects beyond at once', async () => {
    const pool = new BoundedPool({ concurrency: 2, backlog: 1 });
    const gates = [deferred(), deferred(), deferred()];
    let active = 0;
    let maxActive = 0;
    const task = (i: number) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await gates[i]!.promise;
      active--;
      return i;
    };
    const a = pool.run(task(0));
    const b = pool.run(task(1));
    const c = pool.run(task(2));
    assert.deepEqual(pool.stats, {
      running: 2,
      queued: 1,
      completed: 0,
      failed: 0,
      overloaded: 0,
    });
    await assert.rejects(pool.run(task(0)), CaptureOverloadedError);
    assert.equal(pool.stats.overloaded, 1);
    gates[0]!.resolve();
    assert.equal(await a, 0);
    gates[1]!.resolve();
    gates[2]!.resolve();
    assert.deepEqual(await Promise.all([b, c]), [1, 2]);
    assert.equal(maxActive, 2);
    await pool.close();
    assert.equal(pool.stats.completed, 3);
  });

  it('with backlog 0 rejects as soon as every slot is busy', async () => {
    const pool = new BoundedPool({ concurrency: 1, backlog: 0 });
    const gate = deferred();
    const a = pool.run(() => gate.promise);
    const err = await pool.run(async () => 1).catch((e: unknown) => e);
    assert.ok(err instanceof CaptureOverloadedError);
    assert.equal(err.code, 'CAPTURE_OVERLOADED');
    gate.resolve();
    await a;
    assert.equal(await pool.run(async () => 2), 2);
  });

  it('a failing or throwing task frees its slot and counts as failed', async () => {
    const pool = new BoundedPool({ concurrency: 1, backlog: 1 });
    await assert.rejects(
      pool.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await assert.rejects(
      pool.run(() => {
        throw new Error('sync boom');
      }),
      /sync boom/,
    );
    assert.equal(await pool.run(async () => 'ok'), 'ok');
    assert.equal(pool.stats.failed, 2);
  });

  it('close() rejects waiting tasks, waits for running ones and refuses new ones', async () => {
    const pool = new BoundedPool({ concurrency: 1, backlog: 5 });
    const gate = deferred();
    let finished = false;
    const running = pool.run(async () => {
      await gate.promise;
      finished = true;
    });
    const waiting = pool.run(async () => 'never');
    const closing = pool.close();
    await assert.rejects(waiting, CaptureClosedError);
    await assert.rejects(
      pool.run(async () => 1),
      CaptureClosedError,
    );
    gate.resolve();
    await closing;
    await running;
    assert.ok(finished);
  });

  it('validates its options', () => {
    assert.throws(() => new BoundedPool({ concurrency: 0, backlog: 0 }), RangeError);
    assert.throws(() => new BoundedPool({ concurrency: 1, backlog: -1 }), RangeError);
  });
});
