/**
 * Entry point of the load generator's own process (forked by `load-process.ts`), so that
 * its CPU is measured apart from the server's. Speaks a tiny IPC protocol.
 */
import { LoadGenerator } from './load.js';
import type { LoadRequest, LoadReply } from './load-process.js';

let generator: LoadGenerator | undefined;

function reply(message: LoadReply): void {
  process.send?.(message);
}

process.on('message', (raw) => {
  const request = raw as LoadRequest;
  void (async () => {
    try {
      switch (request.cmd) {
        case 'publish':
          generator = new LoadGenerator(request.options);
          reply({ ev: 'published', report: await generator.publishAll() });
          return;
        case 'play':
          generator?.play();
          reply({ ev: 'playing' });
          return;
        case 'stats':
          if (generator) reply({ ev: 'stats', stats: generator.stats() });
          return;
        case 'stop': {
          const stats = generator?.stats();
          generator?.close();
          if (stats) reply({ ev: 'stopped', stats });
          process.disconnect?.();
          setTimeout(() => process.exit(0), 200).unref();
          return;
        }
      }
    } catch (err) {
      reply({ ev: 'error', error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
process.on('disconnect', () => {
  generator?.close();
  process.exit(0);
});
