import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { StreamHub } from './stream/hub.js';

/** Something the composition root starts in order and closes in reverse. */
interface Component {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * The composition root: builds every component in order and closes them in reverse.
 * No globals: everything a component needs is handed to it here.
 */
export class App {
  readonly config: Config;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly hub: StreamHub;
  readonly #started: Component[] = [];

  constructor(config: Config, logger: Logger) {
    this.config = config;
    this.logger = logger;
    this.dataDir = resolve(config.dataDir);
    this.hub = new StreamHub({
      logger: logger.child({ component: 'hub' }),
      subscriberQueue: config.hub.subscriberQueue,
    });
  }

  async start(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    this.#started.push({ name: 'hub', close: () => this.hub.close() });
  }

  async close(): Promise<void> {
    while (this.#started.length > 0) {
      const component = this.#started.pop()!;
      try {
        await component.close();
      } catch (err) {
        this.logger.error({ component: component.name, err }, 'close failed');
      }
    }
  }
}
