import type { Logger } from '../log.js';
import type { ParamErrorCodes, ParamReader } from './param-reader.js';

/** API versions served (spec §1.2). */
export const ApiVersion = {
  Live: '2016-11-01',
  Ice: '2020-11-09',
} as const;
export type ApiVersion = (typeof ApiVersion)[keyof typeof ApiVersion];

export const API_VERSIONS: readonly string[] = Object.values(ApiVersion);

/** What a handler knows about the call besides its parameters. */
export interface ActionContext {
  readonly requestId: string;
  readonly accessKeyId: string;
  readonly action: string;
  readonly version: ApiVersion;
  readonly method: 'GET' | 'POST';
  readonly log: Logger;
  /** Server time in ms (injectable for tests). */
  now(): number;
}

/** A success body without `RequestId` (the protocol layer adds it) and without `Code`. */
export type ActionResult = Record<string, unknown>;

export type ActionHandler = (
  params: ParamReader,
  ctx: ActionContext,
) => ActionResult | Promise<ActionResult>;

export interface ActionDefinition {
  version: ApiVersion;
  action: string;
  /** Per-account queries per second (spec §2.0); omitted = no limit. */
  qps?: number;
  /** Actions sharing a group share one token bucket; default: the action's own. */
  qpsGroup?: string;
  /** Codes the parameter reader raises (default MissingParameter / InvalidParameter). */
  paramCodes?: ParamErrorCodes;
  handler: ActionHandler;
}

export interface RegisteredAction extends ActionDefinition {
  readonly qpsGroup: string;
}

/**
 * The table of (Version, Action) → handler. Each action group registers itself
 * (`registerXxxActions(registry, deps)`); the protocol layer dispatches here.
 */
export class ActionRegistry {
  private readonly actions = new Map<string, RegisteredAction>();

  register(def: ActionDefinition): void {
    if (!API_VERSIONS.includes(def.version)) throw new Error(`unknown API version ${def.version}`);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(def.action)) throw new Error(`bad action name ${def.action}`);
    const key = `${def.version}/${def.action}`;
    if (this.actions.has(key)) throw new Error(`action ${key} registered twice`);
    this.actions.set(key, { ...def, qpsGroup: def.qpsGroup ?? `${def.version}/${def.action}` });
  }

  isKnownVersion(version: string): version is ApiVersion {
    return API_VERSIONS.includes(version);
  }

  lookup(version: string, action: string): RegisteredAction | undefined {
    return this.actions.get(`${version}/${action}`);
  }

  /** `Version/Action` names, sorted (for docs and tests). */
  list(): string[] {
    return [...this.actions.keys()].sort();
  }
}
