import { connect } from 'node:net';

/**
 * Whether a TCP server accepts connections at host:port, within `timeoutMs`: resolves
 * undefined when it does (the connection is closed at once), else the error. Used after an
 * ambiguous failure (a timeout, an I/O error) to tell a source that is down from one that
 * answers but does not speak its protocol.
 */
export function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (err: Error | undefined) => {
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(err);
    };
    const onAbort = () => done(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () =>
      done(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.once('error', (err) => done(err));
  });
}
