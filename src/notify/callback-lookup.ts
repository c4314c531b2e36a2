import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Host-name resolution for callbacks that cannot starve the rest of livesnap.
 *
 * Node's default `dns.lookup` runs getaddrinfo on libuv's small thread pool, which file I/O
 * (snapshot storage) shares: a receiver whose DNS never answers could occupy every thread.
 * So names are resolved with c-ares (`dns.Resolver`: asynchronous sockets, no threads),
 * with its own timeout. Only names DNS does not know (e.g. `localhost` and other
 * /etc/hosts entries) go to the system resolver, one at a time.
 */

interface Address {
  address: string;
  family: number;
}

/** System lookups running at once (they take a pool thread each). */
const SYSTEM_LOOKUPS = 1;
const NOT_IN_DNS: ReadonlySet<string> = new Set<string>([dns.NOTFOUND, dns.NODATA]);

export function callbackLookup(timeoutMs: number): LookupFunction {
  const resolver = new dns.promises.Resolver({ timeout: timeoutMs, tries: 1 });
  const system = new Gate(SYSTEM_LOOKUPS);

  async function resolve(host: string, family: number): Promise<Address[]> {
    const ip = isIP(host);
    if (ip !== 0) return [{ address: host, family: ip }];
    const [v4, v6] = await Promise.allSettled([
      family === 6 ? Promise.resolve([]) : resolver.resolve4(host),
      family === 4 ? Promise.resolve([]) : resolver.resolve6(host),
    ]);
    const found: Address[] = [];
    if (v4.status === 'fulfilled') found.push(...v4.value.map((a) => ({ address: a, family: 4 })));
    if (v6.status === 'fulfilled') found.push(...v6.value.map((a) => ({ address: a, family: 6 })));
    if (found.length > 0) return found;
    const failure = [v4, v6].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const code = (failure?.reason as NodeJS.ErrnoException | undefined)?.code;
    if (failure && !NOT_IN_DNS.has(code ?? '')) throw failure.reason;
    return system.run(() => dns.promises.lookup(host, { all: true, family }));
  }

  return ((hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    const family = typeof options.family === 'number' ? options.family : 0;
    resolve(hostname, family).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  }) as LookupFunction;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | Address[],
  family?: number,
) => void;

/** At most `size` tasks at once; the rest wait in order. */
class Gate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.size) await new Promise<void>((r) => this.#waiting.push(r));
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}
