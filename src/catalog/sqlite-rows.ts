import type {
  AccessKeyRecord,
  DomainNotifySettings,
  SnapshotRule,
  SnapshotRuleFields,
} from './catalog-types.js';

/** Row shapes of the SQLite tables and their mapping to catalog types. */

export interface KeyRow {
  access_key_id: string;
  access_key_secret: string;
  active: number;
  is_root: number;
  created_at: number;
}

export interface RuleRow {
  domain_name: string;
  app_name: string;
  time_interval: number;
  oss_endpoint: string;
  oss_bucket: string;
  overwrite_oss_object: string | null;
  sequence_oss_object: string | null;
  callback: string | null;
  created_at: number;
  updated_at: number;
}

export interface NotifyRow {
  domain_name: string;
  notify_url: string | null;
  auth_enabled: number;
  auth_key: string | null;
  updated_at: number;
}

export function fromKeyRow(r: KeyRow): AccessKeyRecord {
  return {
    accessKeyId: r.access_key_id,
    accessKeySecret: r.access_key_secret,
    active: r.active === 1,
    isRoot: r.is_root === 1,
    createdAt: r.created_at,
  };
}

export function fromRuleRow(r: RuleRow): SnapshotRule {
  const rule: SnapshotRule = {
    domainName: r.domain_name,
    appName: r.app_name,
    timeInterval: r.time_interval,
    ossEndpoint: r.oss_endpoint,
    ossBucket: r.oss_bucket,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.overwrite_oss_object !== null) rule.overwriteOssObject = r.overwrite_oss_object;
  if (r.sequence_oss_object !== null) rule.sequenceOssObject = r.sequence_oss_object;
  if (r.callback !== null) rule.callback = r.callback;
  return rule;
}

/** time_interval, oss_endpoint, oss_bucket, overwrite, sequence, callback. */
export function ruleFieldArgs(
  f: SnapshotRuleFields,
): [number, string, string, string | null, string | null, string | null] {
  return [
    f.timeInterval,
    f.ossEndpoint,
    f.ossBucket,
    f.overwriteOssObject ?? null,
    f.sequenceOssObject ?? null,
    f.callback ?? null,
  ];
}

export function fromNotifyRow(r: NotifyRow): DomainNotifySettings {
  const s: DomainNotifySettings = {
    domainName: r.domain_name,
    authEnabled: r.auth_enabled === 1,
    updatedAt: r.updated_at,
  };
  if (r.notify_url !== null) s.notifyUrl = r.notify_url;
  if (r.auth_key !== null) s.authKey = r.auth_key;
  return s;
}
