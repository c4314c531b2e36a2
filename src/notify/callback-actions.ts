import { ApiVersion, type ActionRegistry } from '../api/action-registry.js';
import { DOMAIN_NAME } from '../api/field-rules.js';
import type { ParamReader } from '../api/param-reader.js';
import type { CallbackEntry, Catalog } from '../catalog/catalog-types.js';
import { utcSeconds } from './callback-events.js';

export interface CallbackActionDeps {
  catalog: Pick<Catalog, 'listCallbacks' | 'redeliverCallbacks'>;
  /** Told after a redelivery (the dispatcher looks at the outbox at once). */
  wake?: () => void;
}

/** livesnap's own operator actions (not in the cloud API); same limit as the config actions. */
const QPS = 30;
const PAGE_SIZE = { min: 1, max: 100, default: 20 } as const;
const MAX_PAGE_NUMBER = 100_000;
/** Event ids per redelivery call. */
const MAX_EVENT_IDS = 100;
const EVENT_ID = /^[A-Za-z0-9-]{1,64}$/;

function readOptionalDomain(p: ParamReader): string | undefined {
  return p.optionalString('DomainName', { maxLength: 253, pattern: DOMAIN_NAME })?.toLowerCase();
}

/** A dead letter as DescribeLivesnapCallbackDeadLetters lists it. */
export function deadLetterView(e: CallbackEntry) {
  return {
    EventId: e.eventId,
    Event: e.event,
    DomainName: e.domainName,
    Url: e.url,
    Attempts: e.attempts,
    ...(e.lastStatus !== undefined ? { LastStatus: e.lastStatus } : {}),
    LastError: e.lastError ?? '',
    CreateTime: utcSeconds(e.createdAt),
    UpdateTime: utcSeconds(e.updatedAt),
    Body: e.body,
  };
}

/**
 * Operator actions on the callback outbox (Version 2016-11-01, livesnap names):
 *
 * - `DescribeLivesnapCallbackDeadLetters`: `DomainName` (optional filter), `PageNumber`
 *   (default 1), `PageSize` (1–100, default 20); newest first.
 *   → `{TotalCount, PageNumber, PageSize, DeadLetters: {DeadLetter: [...]}}`
 * - `RedeliverLivesnapCallbacks`: `EventId.N` (up to 100) or `All=true` (with optional
 *   `DomainName`); dead letters go back to pending with a fresh retry budget.
 *   → `{RedeliveredCount}` (ids that are not dead letters are skipped).
 */
export function registerCallbackActions(registry: ActionRegistry, deps: CallbackActionDeps) {
  const { catalog } = deps;
  const base = { version: ApiVersion.Live, qps: QPS } as const;

  registry.register({
    ...base,
    action: 'DescribeLivesnapCallbackDeadLetters',
    handler: async (p) => {
      const domainName = readOptionalDomain(p);
      const pageNumber = p.optionalInteger('PageNumber', { min: 1, max: MAX_PAGE_NUMBER }) ?? 1;
      const pageSize = p.optionalInteger('PageSize', PAGE_SIZE) ?? PAGE_SIZE.default;
      const page = await catalog.listCallbacks({
        state: 'dead',
        ...(domainName !== undefined ? { domainName } : {}),
        offset: (pageNumber - 1) * pageSize,
        limit: pageSize,
      });
      return {
        TotalCount: page.total,
        PageNumber: pageNumber,
        PageSize: pageSize,
        DeadLetters: { DeadLetter: page.items.map(deadLetterView) },
      };
    },
  });

  registry.register({
    ...base,
    action: 'RedeliverLivesnapCallbacks',
    handler: async (p, ctx) => {
      const eventIds = p.optionalList('EventId', { maxItems: MAX_EVENT_IDS, itemMaxLength: 64 });
      const all = p.optionalBoolean('All') ?? false;
      const domainName = readOptionalDomain(p);
      if (eventIds === undefined && !all) throw p.missing('EventId');
      if (eventIds !== undefined && all) throw p.invalid('All', 'give EventId.N or All, not both');
      if (eventIds?.some((id) => !EVENT_ID.test(id))) throw p.invalid('EventId');
      const count = await catalog.redeliverCallbacks({
        ...(eventIds !== undefined ? { eventIds } : {}),
        ...(domainName !== undefined ? { domainName } : {}),
        now: ctx.now(),
      });
      if (count > 0) deps.wake?.();
      ctx.log.info({ count, all, domainName }, 'dead callbacks redelivered');
      return { RedeliveredCount: count };
    },
  });
}
