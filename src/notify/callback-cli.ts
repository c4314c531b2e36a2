import type { Catalog } from '../catalog/catalog-types.js';
import { deadLetterView } from './callback-actions.js';

/**
 * `livesnap callbacks …`: the operator's view of dead letters, straight on the catalog (the
 * running service picks redelivered entries up within `notify.pollIntervalMs`).
 */
export const CALLBACKS_USAGE = `Usage:
  livesnap callbacks list-dead [--domain NAME] [--limit N] [--json]
  livesnap callbacks redeliver EVENT_ID...
  livesnap callbacks redeliver --all [--domain NAME]
`;

export type CallbacksCommand =
  | { kind: 'list-dead'; domain?: string; limit: number; json: boolean }
  | { kind: 'redeliver'; all: boolean; domain?: string; eventIds: string[] }
  | { kind: 'error'; message: string };

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;

/** Parses the arguments after `callbacks`. Pure. */
export function parseCallbacksArgs(argv: readonly string[]): CallbacksCommand {
  const [sub, ...rest] = argv;
  let domain: string | undefined;
  let limit = DEFAULT_LIMIT;
  let json = false;
  let all = false;
  const ids: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--domain') {
      domain = rest[++i];
      if (!domain) return { kind: 'error', message: '--domain needs a name' };
    } else if (arg === '--limit' && sub === 'list-dead') {
      const n = Number(rest[++i]);
      if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
        return { kind: 'error', message: `--limit needs a number from 1 to ${MAX_LIMIT}` };
      }
      limit = n;
    } else if (arg === '--json' && sub === 'list-dead') json = true;
    else if (arg === '--all' && sub === 'redeliver') all = true;
    else if (!arg.startsWith('-') && sub === 'redeliver') ids.push(arg);
    else return { kind: 'error', message: `unknown option "${arg}"` };
  }
  const d = domain !== undefined ? { domain: domain.toLowerCase() } : {};
  if (sub === 'list-dead') return { kind: 'list-dead', limit, json, ...d };
  if (sub === 'redeliver') {
    if (all === ids.length > 0) {
      return { kind: 'error', message: 'redeliver needs event ids or --all (not both)' };
    }
    return { kind: 'redeliver', all, eventIds: ids, ...d };
  }
  return { kind: 'error', message: sub ? `unknown callbacks command "${sub}"` : 'missing command' };
}

/** Runs a parsed command; returns the exit code. */
export async function runCallbacksCommand(
  cmd: CallbacksCommand,
  catalog: Pick<Catalog, 'listCallbacks' | 'redeliverCallbacks'>,
  out: (text: string) => void,
  now: number = Date.now(),
): Promise<number> {
  switch (cmd.kind) {
    case 'error':
      out(`livesnap callbacks: ${cmd.message}\n\n${CALLBACKS_USAGE}`);
      return 2;
    case 'list-dead': {
      const page = await catalog.listCallbacks({
        state: 'dead',
        ...(cmd.domain !== undefined ? { domainName: cmd.domain } : {}),
        offset: 0,
        limit: cmd.limit,
      });
      if (cmd.json) {
        out(
          `${JSON.stringify({ TotalCount: page.total, DeadLetters: page.items.map(deadLetterView) })}\n`,
        );
        return 0;
      }
      for (const e of page.items) {
        const v = deadLetterView(e);
        out(
          `${v.EventId}  ${v.UpdateTime}  ${v.Event}  ${v.Url}  attempts=${v.Attempts}  ${v.LastError}\n`,
        );
      }
      out(`${page.items.length} of ${page.total} dead letters\n`);
      return 0;
    }
    case 'redeliver': {
      const count = await catalog.redeliverCallbacks({
        ...(cmd.all ? {} : { eventIds: cmd.eventIds }),
        ...(cmd.domain !== undefined ? { domainName: cmd.domain } : {}),
        now,
      });
      out(`${count} dead letters queued for redelivery\n`);
      return 0;
    }
  }
}
