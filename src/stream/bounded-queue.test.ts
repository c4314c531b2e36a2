import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from './bounded-queue.js';

test('push refuses when full; next drains in order; close ends iteration', async () => {
  const q = new BoundedQueue<number>(2);
  assert.equal(q.push(1), true);
  assert.equal(q.push(2), true);
  assert.equal(q.push(3), false);
  assert.equal(await q.next(), 1);
  assert.equal(q.push(4), true);
  q.close();
  assert.equal(q.push(5), false);
  const rest: number[] = [];
  for await (const n of q) rest.push(n);
  assert.deepEqual(rest, [2, 4]);
});

test('a waiting consumer is handed the item directly', async () => {
  const q = new BoundedQueue<string>(1);
  const pending = q.next();
  q.push('a');
  assert.equal(await pending, 'a');
  assert.equal(q.size, 0);
});

test('pushEvicting makes room by dropping the oldest items', async () => {
  const q = new BoundedQueue<number>(3);
  [1, 2, 3].forEach((n) => q.push(n));
  assert.equal(q.pushEvicting(9), 1);
  assert.deepEqual([await q.next(), await q.next(), await q.next()], [2, 3, 9]);
});

test('memory stays bounded across many push/next cycles', async () => {
  const q = new BoundedQueue<number>(8);
  for (let i = 0; i < 100_000; i++) {
    q.push(i);
    assert.equal(await q.next(), i);
  }
  assert.equal(q.size, 0);
});

test('rejects an invalid capacity', () => {
  assert.throws(() => new BoundedQueue(0), RangeError);
});
