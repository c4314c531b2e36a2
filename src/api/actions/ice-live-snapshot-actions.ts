import type { ActionRegistry } from '../action-registry.js';
import {
  registerLiveFileActions,
  type LiveFileActionDeps,
} from './ice-live-snapshot-file-actions.js';
import { registerLiveJobActions, type LiveJobActionDeps } from './ice-live-snapshot-job-actions.js';
import {
  registerLiveTemplateActions,
  type LiveTemplateActionDeps,
} from './ice-live-snapshot-template-actions.js';

export type IceLiveSnapshotDeps = LiveTemplateActionDeps & LiveJobActionDeps & LiveFileActionDeps;

/**
 * Registers the ICE live snapshot family (spec §4, Version 2020-11-09): templates, jobs and
 * their commands, and job files.
 */
export function registerIceLiveSnapshotActions(
  registry: ActionRegistry,
  deps: IceLiveSnapshotDeps,
): void {
  registerLiveTemplateActions(registry, deps);
  registerLiveJobActions(registry, deps);
  registerLiveFileActions(registry, deps);
}
