import assert from 'node:assert/strict';
import type { LookupOptions } from 'node:dns';
import { test } from 'node:test';
import { callbackLookup } from './callback-lookup.js';

function lookup(host: string, options: LookupOptions): Promise<unknown> {
  const fn = callbackLookup(2000);
  return new Promise((resolve, reject) => {
    fn(host, options, (err: Error | null, address: unknown, family?: number) =>
      err ? reject(err) : resolve(options.all ? address : { address, family }),
    );
  });
}

test('IP literals pass through; /etc/hosts names fall back to the system resolver', async () => {
  assert.deepEqual(await lookup('127.0.0.1', {}), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await lookup('::1', { all: true }), [{ address: '::1', family: 6 }]);
  const local = (await lookup('localhost', { all: true, family: 4 })) as Array<{ address: string }>;
  assert.ok(
    local.some((a) => a.address === '127.0.0.1'),
    JSON.stringify(local),
  );
});

test('an unknown name fails instead of hanging', async () => {
  await assert.rejects(
    lookup('no-such-host.invalid', {}),
    (err: NodeJS.ErrnoException) => typeof err.code === 'string',
  );
});
