import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../context.js';
import { listOnline, type OnlineStream } from '../lib/api.js';
import { learn } from '../lib/recent.js';

/** Remembers the names of streams seen live (suggested after they stop). */
export function learnOnline(streams: readonly OnlineStream[]): void {
  learn(streams.map((s) => ({ domain: s.DomainName, app: s.AppName, stream: s.StreamName })));
}

/**
 * The streams being pushed now (one DescribeLiveStreamsOnlineList call), for suggesting
 * domains, apps and streams. Failures only mean fewer suggestions.
 */
export function useOnlineStreams(): readonly OnlineStream[] {
  const { client } = useConsole();
  const [streams, setStreams] = useState<readonly OnlineStream[]>([]);
  useEffect(() => {
    let live = true;
    listOnline(client, { pageSize: 2000 })
      .then((p) => {
        learnOnline(p.streams);
        if (live) setStreams(p.streams);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [client]);
  return streams;
}
