import type { Catalog, SnapshotRule, SnapshotRuleFields } from '../../catalog/catalog-types.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { OSS_BUCKET } from '../field-rules.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime } from '../rpc-time.js';
import {
  readAppName,
  readDomainName,
  readOptionalAppName,
  readTemplate,
  readUrl,
} from './live-params.js';

export interface SnapshotConfigDeps {
  catalog: Catalog;
  /** Names of the configured storages (`OssEndpoint` values); `local` is always accepted. */
  storageEndpoints: () => readonly string[];
  /** Whether a bucket exists on a storage; false → InvalidOssBucket.NotFound. Default: yes. */
  bucketExists?: (endpoint: string, bucket: string) => Promise<boolean>;
}

/** Spec §2.0 QPS limits. */
const WRITE_QPS = 30;
const DESCRIBE_QPS = 100;
const PAGE_SIZE = { min: 5, max: 30, default: 10 };
const TIME_INTERVAL = { min: 5, max: 3600 };

function readEndpoint(p: ParamReader, deps: SnapshotConfigDeps, required: boolean) {
  const opts = { maxLength: 128, code: 'InvalidOssEndpoint.Malformed' } as const;
  const v = required ? p.string('OssEndpoint', opts) : p.optionalString('OssEndpoint', opts);
  if (v !== undefined && v !== 'local' && !deps.storageEndpoints().includes(v)) {
    throw new ApiError('InvalidOssEndpoint.Malformed', {
      message: `Specified parameter OssEndpoint is not valid: no storage named "${v.slice(0, 128)}" is configured.`,
    });
  }
  return v;
}

function readBucket(p: ParamReader, required: boolean) {
  const opts = { maxLength: 63, pattern: OSS_BUCKET, code: 'InvalidOssBucket.Malformed' } as const;
  return required ? p.string('OssBucket', opts) : p.optionalString('OssBucket', opts);
}

async function checkBucket(deps: SnapshotConfigDeps, endpoint: string, bucket: string) {
  if (deps.bucketExists && !(await deps.bucketExists(endpoint, bucket))) {
    throw new ApiError('InvalidOssBucket.NotFound');
  }
}

function requireNaming(f: SnapshotRuleFields): void {
  if (f.overwriteOssObject === undefined && f.sequenceOssObject === undefined) {
    throw new ApiError('InvalidOverwriteOssObjectOrSequenceOssObject.Malformed');
  }
}

/** A rule as DescribeLiveSnapshotConfig lists it; absent optional fields are omitted. */
export function ruleToApi(r: SnapshotRule): Record<string, unknown> {
  return {
    DomainName: r.domainName,
    AppName: r.appName,
    TimeInterval: r.timeInterval,
    OssEndpoint: r.ossEndpoint,
    OssBucket: r.ossBucket,
    ...(r.overwriteOssObject !== undefined && { OverwriteOssObject: r.overwriteOssObject }),
    ...(r.sequenceOssObject !== undefined && { SequenceOssObject: r.sequenceOssObject }),
    ...(r.callback !== undefined && { Callback: r.callback }),
    CreateTime: formatRpcTime(r.createdAt),
  };
}

/** Add/Update/Delete/DescribeLiveAppSnapshotConfig (spec §2.1–2.4). */
export function registerSnapshotConfigActions(registry: ActionRegistry, deps: SnapshotConfigDeps) {
  const { catalog } = deps;
  const version = ApiVersion.Live;

  registry.register({
    version,
    action: 'AddLiveAppSnapshotConfig',
    qps: WRITE_QPS,
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const appName = readAppName(p);
      const timeInterval = p.integer('TimeInterval', TIME_INTERVAL);
      const ossEndpoint = readEndpoint(p, deps, true)!;
      const ossBucket = readBucket(p, true)!;
      const overwrite = readTemplate(p, 'overwrite', false) ?? undefined;
      const sequence = readTemplate(p, 'sequence', false) ?? undefined;
      const callback = readUrl(p, 'Callback', false) ?? undefined;
      const fields = { timeInterval, ossEndpoint, ossBucket, callback };
      const rule: SnapshotRule = {
        domainName,
        appName,
        ...fields,
        overwriteOssObject: overwrite,
        sequenceOssObject: sequence,
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      };
      requireNaming(rule);
      await checkBucket(deps, ossEndpoint, ossBucket);
      if (!(await catalog.insertRule(rule))) throw new ApiError('ConfigAlreadyExists');
      ctx.log.info({ domainName, appName }, 'snapshot rule added');
      return {};
    },
  });

  registry.register({
    version,
    action: 'UpdateLiveAppSnapshotConfig',
    qps: WRITE_QPS,
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const appName = readAppName(p);
      const timeInterval = p.optionalInteger('TimeInterval', TIME_INTERVAL);
      const ossEndpoint = readEndpoint(p, deps, false);
      const ossBucket = readBucket(p, false);
      const overwrite = readTemplate(p, 'overwrite', true);
      const sequence = readTemplate(p, 'sequence', true);
      const callback = readUrl(p, 'Callback', true);

      const current = await catalog.getRule(domainName, appName);
      if (!current) throw new ApiError('InvalidConfig.NotFound');
      if (ossEndpoint !== undefined || ossBucket !== undefined) {
        await checkBucket(deps, ossEndpoint ?? current.ossEndpoint, ossBucket ?? current.ossBucket);
      }
      const merge = (cur: SnapshotRule): SnapshotRuleFields => {
        const next: SnapshotRuleFields = {
          timeInterval: timeInterval ?? cur.timeInterval,
          ossEndpoint: ossEndpoint ?? cur.ossEndpoint,
          ossBucket: ossBucket ?? cur.ossBucket,
          overwriteOssObject:
            overwrite === undefined ? cur.overwriteOssObject : (overwrite ?? undefined),
          sequenceOssObject:
            sequence === undefined ? cur.sequenceOssObject : (sequence ?? undefined),
          callback: callback === undefined ? cur.callback : (callback ?? undefined),
        };
        requireNaming(next);
        return next;
      };
      const updated = await catalog.updateRule(domainName, appName, merge, ctx.now());
      if (!updated) throw new ApiError('InvalidConfig.NotFound');
      ctx.log.info({ domainName, appName }, 'snapshot rule updated');
      return {};
    },
  });

  registry.register({
    version,
    action: 'DeleteLiveAppSnapshotConfig',
    qps: WRITE_QPS,
    handler: async (p, ctx) => {
      const domainName = readDomainName(p);
      const appName = readAppName(p);
      if (!(await catalog.deleteRule(domainName, appName))) {
        throw new ApiError('InvalidConfig.NotFound');
      }
      ctx.log.info({ domainName, appName }, 'snapshot rule deleted');
      return {};
    },
  });

  registry.register({
    version,
    action: 'DescribeLiveSnapshotConfig',
    qps: DESCRIBE_QPS,
    handler: async (p) => {
      const domainName = readDomainName(p);
      const appName = readOptionalAppName(p);
      const pageNum = p.optionalInteger('PageNum', { min: 1, max: 1_000_000 }) ?? 1;
      const pageSize = p.optionalInteger('PageSize', PAGE_SIZE) ?? PAGE_SIZE.default;
      const orderRaw = p.optionalString('Order', { maxLength: 8 })?.toLowerCase() ?? 'asc';
      if (orderRaw !== 'asc' && orderRaw !== 'desc')
        throw p.invalid('Order', 'must be asc or desc');
      const { total, items } = await catalog.listRules({
        domainName,
        appName,
        order: orderRaw,
        offset: (pageNum - 1) * pageSize,
        limit: pageSize,
      });
      return {
        PageNum: pageNum,
        PageSize: pageSize,
        Order: orderRaw,
        TotalNum: total,
        TotalPage: Math.ceil(total / pageSize),
        LiveStreamSnapshotConfigList: { LiveStreamSnapshotConfig: items.map(ruleToApi) },
      };
    },
  });
}
