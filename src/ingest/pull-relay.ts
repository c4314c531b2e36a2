import { networkInterfaces, hostname } from 'node:os';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { LiveStream, Subscription } from '../stream/hub.js';
import { streamId, type PublishTarget, type StreamKey } from '../stream/stream-types.js';
import { streamIdentity } from './rtmp/stream-identity.js';
import {
  BadSourceError,
  isPullError,
  SourceUnavailableError,
  type PullOutcome,
} from './pull-errors.js';
import { PullPublisher, type PictureLimits } from './pull-publisher.js';
import type { PullSource } from './pull-url.js';

/**
 * Pulling from livesnap's own RTMP server. The server only ingests (it refuses `play`), so a
 * job whose URL points at it is served from the hub instead: the job subscribes to the pushed
 * stream (a bounded queue, like any subscriber) and republishes its configuration and access
 * units, unchanged, under the job's stream key. No network, no copy of the media.
 */

/** Where livesnap's own RTMP server listens. */
export interface OwnRtmpServer {
  /** RTMP and RTMPS ports. */
  readonly ports: readonly number[];
  /** Host names and addresses that reach this machine (lower case). */
  readonly hosts: ReadonlySet<string>;
}

/** Loopback names, this machine's name and its interface addresses, plus `extra`. */
export function localHostNames(extra: readonly string[] = []): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::', hostname()]);
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) names.add(info.address);
  }
  for (const name of extra) if (name) names.add(name);
  return new Set([...names].map((n) => n.toLowerCase()));
}

/**
 * The hub key of the pushed stream an rtmp(s) URL names on our own server (the key RTMP
 * ingest gives a push to that URL: DESIGN §3), or undefined for any other server.
 */
export function ownStreamKey(source: PullSource, own: OwnRtmpServer): StreamKey | undefined {
  if (source.protocol !== 'rtmp' || !own.ports.includes(source.port)) return undefined;
  const host = source.host.toLowerCase();
  if (!own.hosts.has(host) && !/^127\./.test(host)) return undefined;
  const url = new URL(source.url);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const [app, ...rest] = segments.map((s) => safeDecode(s));
  if (app === undefined || rest.length === 0) return undefined;
  const identity = streamIdentity(
    { app, tcUrl: `${url.protocol}//${url.host}/${app}` },
    `${rest.join('/')}${url.search}`,
  );
  return identity.ok ? identity.key : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface RelaySessionOptions {
  /** Where pushed streams are found. */
  readonly hub: { get(key: StreamKey): LiveStream | undefined };
  /** The pushed stream to follow. */
  readonly from: StreamKey;
  /** The job's stream key. */
  readonly key: StreamKey;
  readonly target: PublishTarget;
  readonly limits: PictureLimits;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly onLive?: () => void;
}

/** Follows a pushed stream until it ends or the signal aborts; see the module comment. */
export async function relaySession(o: RelaySessionOptions): Promise<PullOutcome> {
  if (o.signal.aborted) return { live: false, frames: 0, end: 'aborted' };
  const stream = o.hub.get(o.from);
  if (!stream) {
    return {
      live: false,
      frames: 0,
      end: 'failed',
      error: new SourceUnavailableError(`the stream ${streamId(o.from)} is not being pushed`),
    };
  }
  const publisher = new PullPublisher(
    o.target,
    o.key,
    { remote: 'hub', tcUrl: streamId(o.from), query: {}, protocol: 'pull' },
    o.limits,
  );
  const sub: Subscription = stream.subscribe(`live-snapshot-job ${o.key.stream}`);
  const onAbort = () => sub.close();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let reason = 'the pushed stream ended';
  try {
    for (;;) {
      const item = await sub.next();
      if (item === undefined) break;
      if (item.type === 'config') publisher.config(item.config);
      else if (item.type === 'end-of-sequence') publisher.endOfSequence();
      else if (publisher.unit(item.unit)) {
        o.logger.info({ from: streamId(o.from) }, 'pushed stream relayed to the job');
        o.onLive?.();
      }
    }
    const end = o.signal.aborted ? 'aborted' : 'ended';
    return { live: publisher.live, frames: publisher.frames, end };
  } catch (err) {
    const error = isPullError(err)
      ? err
      : new BadSourceError(`relaying failed: ${errorMessage(err)}`, { cause: err });
    reason = error.message;
    return { live: publisher.live, frames: publisher.frames, end: 'failed', error };
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    stream.unsubscribe(sub);
    publisher.close(o.signal.aborted ? 'stopped' : reason);
  }
}
