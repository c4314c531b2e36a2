import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamIdentity, type IdentityResult } from './stream-identity.js';

const ok = (r: IdentityResult): Extract<IdentityResult, { ok: true }> => {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r;
};
const reason = (r: IdentityResult): string => {
  assert.equal(r.ok, false);
  return r.ok ? '' : r.reason;
};

describe('stream identity', () => {
  it('app from connect, stream from publish, domain from the tcUrl host (DESIGN §3 example)', () => {
    const r = ok(streamIdentity({ app: 'live', tcUrl: 'rtmp://localhost:1935/live' }, 'cam1'));
    assert.deepEqual(r.key, { domain: 'localhost', app: 'live', stream: 'cam1' });
    assert.deepEqual(r.query, {});
  });

  it('vhost in the publish name query wins over the tcUrl host; queries are stripped', () => {
    const r = ok(
      streamIdentity(
        { app: 'live', tcUrl: 'rtmp://10.0.0.1/live' },
        'cam1?vhost=Live.Example.com&auth_key=abc',
      ),
    );
    assert.deepEqual(r.key, { domain: 'live.example.com', app: 'live', stream: 'cam1' });
    assert.deepEqual(r.query, { vhost: 'Live.Example.com', auth_key: 'abc' });
  });

  it('domain parameter, and queries on the app / tcUrl as OBS sends them', () => {
    const r = ok(
      streamIdentity(
        { app: 'live?domain=a.example.com', tcUrl: 'rtmp://1.2.3.4/live?domain=a.example.com' },
        'cam',
      ),
    );
    assert.deepEqual(r.key, { domain: 'a.example.com', app: 'live', stream: 'cam' });
  });

  it('vhost beats domain; the publish name query beats the app query', () => {
    const r = ok(
      streamIdentity(
        { app: 'live?vhost=a.com', tcUrl: 'rtmp://h/live' },
        's?domain=b.com&vhost=c.com',
      ),
    );
    assert.equal(r.key.domain, 'c.com');
  });

  it('host name: lower-cased, port dropped, IPv6 brackets removed', () => {
    assert.equal(
      ok(streamIdentity({ app: 'a', tcUrl: 'rtmp://Cam.EXAMPLE.com:1935/a' }, 's')).key.domain,
      'cam.example.com',
    );
    assert.equal(
      ok(streamIdentity({ app: 'a', tcUrl: 'rtmps://[::1]:443/a' }, 's')).key.domain,
      '::1',
    );
  });

  it('nested app paths keep their slashes; trailing slashes go', () => {
    assert.equal(
      ok(streamIdentity({ app: 'live/sub/', tcUrl: 'rtmp://h/live/sub' }, 's')).key.app,
      'live/sub',
    );
  });

  it('bad names are refused with a reason', () => {
    const tc = 'rtmp://h/live';
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, '')), /empty stream/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, '?vhost=x')), /empty stream/);
    assert.match(reason(streamIdentity({ app: '', tcUrl: tc }, 's')), /empty app/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, 'a/b')), /"\/"/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, 'a\u0000b')), /control/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, 'x'.repeat(300))), /longer/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, '..')), /stream name/);
    assert.match(reason(streamIdentity({ app: 'a/../b', tcUrl: tc }, 's')), /segment/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: tc }, 'a\\b')), /backslash/);
    assert.match(reason(streamIdentity({ app: 'live', tcUrl: '' }, 's')), /no domain/);
    assert.match(
      reason(streamIdentity({ app: 'live', tcUrl: tc }, 's?vhost=a/b')),
      /invalid domain/,
    );
  });

  it('a __proto__ query key does not touch prototypes', () => {
    const r = ok(streamIdentity({ app: 'live', tcUrl: 'rtmp://h/live' }, 's?__proto__=x'));
    assert.equal(Object.getPrototypeOf(r.query), Object.prototype);
    assert.equal(r.query['__proto__'], 'x');
  });
});
