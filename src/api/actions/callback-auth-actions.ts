import type { Catalog } from '../../catalog/catalog-types.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { AUTH_KEY } from '../field-rules.js';
import { notifyParamCodes } from '../param-reader.js';
import { readDomainName, readYesNo, yesNo } from './live-params.js';
import { notifySettingsHaveContent } from './notify-config-actions.js';

export interface CallbackAuthDeps {
  catalog: Catalog;
}

/** Spec §2.0 QPS limit. */
const QPS = 30;

/**
 * Set/Query/DeleteSnapshotCallbackAuth (spec §2.8). They read and write the same
 * per-domain auth setting as the notify-config actions (NotifyReqAuth/NotifyAuthKey).
 * Query of a domain without a setting answers `no` and an empty key; Delete is idempotent
 * (it resets the setting, and signing is off afterwards).
 */
export function registerCallbackAuthActions(registry: ActionRegistry, deps: CallbackAuthDeps) {
  const { catalog } = deps;
  const base = { version: ApiVersion.Live, qps: QPS, paramCodes: notifyParamCodes } as const;

  registry.register({
    ...base,
    action: 'SetSnapshotCallbackAuth',
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const enabled = readYesNo(p, 'CallbackReqAuth', true)!;
      // Signing needs a usable key (same rule as NotifyAuthKey); when off, the key is kept.
      const authKey = enabled
        ? p.string('CallbackAuthKey', { minLength: 16, maxLength: 32, pattern: AUTH_KEY })
        : p.string('CallbackAuthKey', { maxLength: 128 });
      await catalog.updateNotifySettings(
        domainName,
        (cur) => ({ notifyUrl: cur?.notifyUrl, authEnabled: enabled, authKey }),
        ctx.now(),
      );
      ctx.log.info({ domainName, enabled }, 'snapshot callback auth set');
      return {};
    },
  });

  registry.register({
    ...base,
    action: 'QuerySnapshotCallbackAuth',
    handler: async (p) => {
      const domainName = readDomainName(p);
      const s = await catalog.getNotifySettings(domainName);
      return {
        DomainName: domainName,
        CallbackReqAuth: yesNo(s?.authEnabled ?? false),
        CallbackAuthKey: s?.authKey ?? '',
      };
    },
  });

  registry.register({
    ...base,
    action: 'DeleteSnapshotCallbackAuth',
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      await catalog.updateNotifySettings(
        domainName,
        (cur) => {
          const next = { notifyUrl: cur?.notifyUrl, authEnabled: false };
          return notifySettingsHaveContent(next) ? next : undefined;
        },
        ctx.now(),
      );
      ctx.log.info({ domainName }, 'snapshot callback auth deleted');
      return {};
    },
  });
}
