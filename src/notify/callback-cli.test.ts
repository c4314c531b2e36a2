import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteCatalog } from '../catalog/sqlite-catalog.js';
import { newCallbackEntry } from './callback-entries.js';
import { CallbackEvent } from './callback-events.js';
import { parseCallbacksArgs, runCallbacksCommand } from './callback-cli.js';

test('parses list-dead and redeliver', () => {
  assert.deepEqual(parseCallbacksArgs(['list-dead']), {
    kind: 'list-dead',
    limit: 50,
    json: false,
  });
  assert.deepEqual(
    parseCallbacksArgs(['list-dead', '--domain', 'A.com', '--limit', '5', '--json']),
    {
      kind: 'list-dead',
      limit: 5,
      json: true,
      domain: 'a.com',
    },
  );
  assert.deepEqual(parseCallbacksArgs(['redeliver', 'id1', 'id2']), {
    kind: 'redeliver',
    all: false,
    eventIds: ['id1', 'id2'],
  });
  assert.deepEqual(parseCallbacksArgs(['redeliver', '--all', '--domain', 'a.com']), {
    kind: 'redeliver',
    all: true,
    eventIds: [],
    domain: 'a.com',
  });
  for (const bad of [
    [],
    ['nope'],
    ['redeliver'],
    ['redeliver', '--all', 'x'],
    ['list-dead', '--limit', '0'],
  ]) {
    assert.equal(parseCallbacksArgs(bad).kind, 'error', bad.join(' '));
  }
});

test('lists dead letters and redelivers them', async () => {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  await catalog.start();
  try {
    const entry = newCallbackEntry({
      event: CallbackEvent.LiveSnapshot,
      domainName: 'a.com',
      url: 'http://cb.a.com/x',
      body: '{}',
      now: 1000,
    });
    await catalog.enqueueCallbacks([entry]);
    await catalog.claimCallbacks({ now: 1000, limit: 1, maxPerOrigin: 1, inFlight: new Map() });
    await catalog.completeCallbacks([
      {
        eventId: entry.eventId,
        at: 2000,
        state: 'dead',
        status: 410,
        error: 'HTTP 410: not retried',
      },
    ]);
    let text = '';
    const out = (s: string) => (text += s);
    assert.equal(await runCallbacksCommand(parseCallbacksArgs(['list-dead']), catalog, out), 0);
    assert.match(text, new RegExp(`${entry.eventId} .*http://cb.a.com/x .*HTTP 410`));
    assert.match(text, /1 of 1 dead letters/);
    text = '';
    await runCallbacksCommand(parseCallbacksArgs(['list-dead', '--json']), catalog, out);
    assert.equal(JSON.parse(text).DeadLetters[0].EventId, entry.eventId);
    text = '';
    const redeliver = parseCallbacksArgs(['redeliver', entry.eventId]);
    assert.equal(await runCallbacksCommand(redeliver, catalog, out, 3000), 0);
    assert.match(text, /^1 dead letters queued/);
    assert.equal((await catalog.getCallback(entry.eventId))?.state, 'pending');
    assert.equal(await runCallbacksCommand(parseCallbacksArgs(['bogus']), catalog, out), 2);
  } finally {
    await catalog.close();
  }
});
