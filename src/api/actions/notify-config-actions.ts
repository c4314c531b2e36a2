import type { Catalog, DomainNotifySettings } from '../../catalog/catalog-types.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { notifyParamCodes, type ParamReader } from '../param-reader.js';
import { readAuthKey, readDomainName, readUrl, readYesNo, yesNo } from './live-params.js';

export interface NotifyConfigDeps {
  catalog: Catalog;
}

/** Spec §2.0 QPS limit. */
const QPS = 30;

type AuthFields = Pick<DomainNotifySettings, 'authEnabled' | 'authKey'>;

interface AuthInput {
  reqAuth: boolean | undefined;
  authKey: string | undefined;
}

function readAuthInput(p: ParamReader): AuthInput {
  const reqAuth = readYesNo(p, 'NotifyReqAuth', false);
  const authKey = readAuthKey(p, 'NotifyAuthKey');
  if (reqAuth === true && authKey === undefined) throw p.missing('NotifyAuthKey');
  return { reqAuth, authKey };
}

/**
 * The shared per-domain auth setting after a notify-config call: NotifyReqAuth given →
 * it decides (with the key given, or the stored one when turning signing off); absent →
 * the stored setting stays (a new key given alone replaces the stored key).
 */
function nextAuth(cur: DomainNotifySettings | undefined, input: AuthInput): AuthFields {
  const authEnabled = input.reqAuth ?? cur?.authEnabled ?? false;
  const authKey = input.authKey ?? cur?.authKey;
  return authKey === undefined ? { authEnabled } : { authEnabled, authKey };
}

/** Whether settings still hold anything worth a row (a URL, signing, or a key). */
export function notifySettingsHaveContent(
  s: Omit<DomainNotifySettings, 'domainName' | 'updatedAt'>,
): boolean {
  return s.notifyUrl !== undefined || s.authEnabled || s.authKey !== undefined;
}

/**
 * Add/Update/Describe/DeleteLiveSnapshotNotifyConfig (spec §2.7): the domain NotifyUrl
 * and the domain's callback-auth setting, shared with the §2.8 actions. These actions
 * use the notify family's codes (MissingParam, MalformedParam, 409 ConfigAlreadyExists);
 * a domain without NotifyUrl answers 404 InvalidConfig.NotFound on Update/Describe/Delete.
 */
export function registerNotifyConfigActions(registry: ActionRegistry, deps: NotifyConfigDeps) {
  const { catalog } = deps;
  const base = { version: ApiVersion.Live, qps: QPS, paramCodes: notifyParamCodes } as const;

  registry.register({
    ...base,
    action: 'AddLiveSnapshotNotifyConfig',
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const notifyUrl = readUrl(p, 'NotifyUrl', false);
      if (!notifyUrl) throw p.missing('NotifyUrl');
      const auth = readAuthInput(p);
      await catalog.updateNotifySettings(
        domainName,
        (cur) => {
          if (cur?.notifyUrl !== undefined) throw new ApiError('NotifyConfigAlreadyExists');
          return { notifyUrl, ...nextAuth(cur, auth) };
        },
        ctx.now(),
      );
      ctx.log.info({ domainName }, 'snapshot notify config added');
      return {};
    },
  });

  registry.register({
    ...base,
    action: 'UpdateLiveSnapshotNotifyConfig',
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const notifyUrl = readUrl(p, 'NotifyUrl', false) ?? undefined;
      const auth = readAuthInput(p);
      await catalog.updateNotifySettings(
        domainName,
        (cur) => {
          if (cur?.notifyUrl === undefined) throw new ApiError('NotifyConfigNotFound');
          return { notifyUrl: notifyUrl ?? cur.notifyUrl, ...nextAuth(cur, auth) };
        },
        ctx.now(),
      );
      ctx.log.info({ domainName }, 'snapshot notify config updated');
      return {};
    },
  });

  registry.register({
    ...base,
    action: 'DescribeLiveSnapshotNotifyConfig',
    handler: async (p) => {
      const domainName = readDomainName(p);
      const s = await catalog.getNotifySettings(domainName);
      if (s?.notifyUrl === undefined) throw new ApiError('NotifyConfigNotFound');
      return {
        DomainName: s.domainName,
        NotifyUrl: s.notifyUrl,
        NotifyReqAuth: yesNo(s.authEnabled),
        NotifyAuthKey: s.authKey ?? '',
      };
    },
  });

  registry.register({
    ...base,
    action: 'DeleteLiveSnapshotNotifyConfig',
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      await catalog.updateNotifySettings(
        domainName,
        (cur) => {
          if (cur?.notifyUrl === undefined) throw new ApiError('NotifyConfigNotFound');
          const rest = nextAuth(cur, { reqAuth: undefined, authKey: undefined });
          return notifySettingsHaveContent(rest) ? rest : undefined;
        },
        ctx.now(),
      );
      ctx.log.info({ domainName }, 'snapshot notify config deleted');
      return {};
    },
  });
}
