import { EventEmitter } from 'node:events';

/**
 * An EventEmitter whose event names and argument tuples are checked by the compiler.
 * Events only notify; commands are direct method calls.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    this.#emitter.emit(event, ...args);
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
