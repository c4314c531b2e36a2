import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RpcClient } from './lib/rpc-client.js';

export interface ConsoleContext {
  client: RpcClient;
  /** Announces a short status to screen readers and shows it as a toast. */
  announce(message: string): void;
}

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the signed-in app');
  return c;
}
