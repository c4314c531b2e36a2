import type { ActionRegistry } from '../action-registry.js';
import { registerCallbackAuthActions } from './callback-auth-actions.js';
import { registerNotifyConfigActions } from './notify-config-actions.js';
import {
  registerSnapshotConfigActions,
  type SnapshotConfigDeps,
} from './snapshot-config-actions.js';

export type LiveConfigDeps = SnapshotConfigDeps;

/**
 * Registers every Live snapshot configuration action: rules (§2.1–2.4), notify config
 * (§2.7) and callback auth (§2.8).
 */
export function registerLiveConfigActions(registry: ActionRegistry, deps: LiveConfigDeps): void {
  registerSnapshotConfigActions(registry, deps);
  registerNotifyConfigActions(registry, deps);
  registerCallbackAuthActions(registry, deps);
}
