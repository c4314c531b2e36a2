import { randomUUID } from 'node:crypto';
import type {
  SnapshotJobCatalog,
  SnapshotJobRecord,
  SnapshotTemplateRecord,
} from '../../catalog/snapshot-job-types.js';
import { SnapshotJobState } from '../../catalog/snapshot-job-types.js';
import { parseMediaAddress } from '../../jobs/media-address.js';
import { findSystemTemplate, isSystemTemplate, subtypeName } from '../../jobs/system-templates.js';
import {
  SNAPSHOT_TEMPLATE_TYPE,
  SNAPSHOT_TEMPLATE_TYPE_NAME,
  systemTemplateOf,
} from '../../jobs/system-templates.js';
import { TemplateConfigError } from '../../jobs/template-config.js';
import { ApiError } from '../api-error.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime } from '../rpc-time.js';

/** Shared readers and response shapes of the ICE snapshot job and template actions. */

/** ICE ids: 32 lowercase hex characters. */
export function newIceId(): string {
  return randomUUID().replace(/-/g, '');
}

type Json = Record<string, unknown>;

/** A required or optional parameter holding a JSON object (ICE "shrink" parameters). */
export function readJsonObject(p: ParamReader, name: string, required: true): Json;
export function readJsonObject(p: ParamReader, name: string, required: false): Json | undefined;
export function readJsonObject(p: ParamReader, name: string, required: boolean): Json | undefined {
  const value = p.optionalJson(name);
  if (value === undefined) {
    if (required) throw p.missing(name);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw p.invalid(name, 'not a JSON object');
  }
  return value as Json;
}

/** InvalidParameter naming a field inside a JSON parameter. */
export function invalidField(param: string, field: string, detail: string): ApiError {
  const name = field ? `${param}.${field}` : param;
  return new ApiError('InvalidParameter', {
    args: [name],
    message: `The specified parameter "${name}" is not valid: ${detail}.`,
  });
}

/** A TemplateConfigError as the API reports it. */
export function templateConfigInvalid(param: string, err: unknown): ApiError {
  if (err instanceof TemplateConfigError)
    return invalidField(param, err.field, err.message.replace(`${err.field}: `, ''));
  throw err;
}

/** A string field of a JSON parameter. */
export function jsonString(obj: Json, param: string, field: string, maxLength: number): string {
  const v = obj[field];
  if (v === undefined || v === null || v === '') {
    throw new ApiError('MissingParameter', { args: [`${param}.${field}`] });
  }
  if (typeof v !== 'string' || v.length > maxLength) {
    throw invalidField(param, field, `must be a string of at most ${maxLength} characters`);
  }
  return v;
}

/** A custom template or a system template; undefined when neither has the id. */
export async function findTemplate(
  catalog: Pick<SnapshotJobCatalog, 'getSnapshotTemplate'>,
  templateId: string,
): Promise<SnapshotTemplateRecord | undefined> {
  return findSystemTemplate(templateId) ?? (await catalog.getSnapshotTemplate(templateId));
}

/** The default template of a subtype: the one marked, else the system template. */
export async function defaultTemplate(
  catalog: Pick<SnapshotJobCatalog, 'getDefaultSnapshotTemplate' | 'getSnapshotTemplate'>,
  subtype: number,
): Promise<SnapshotTemplateRecord | undefined> {
  const marked = await catalog.getDefaultSnapshotTemplate(subtype);
  const found = marked ? await findTemplate(catalog, marked) : undefined;
  return found ?? systemTemplateOf(subtype);
}

/** A template as Get/ListCustomTemplates show it (Subtype as a number). */
export function templateToApi(t: SnapshotTemplateRecord, isDefault: boolean): Json {
  return {
    TemplateId: t.templateId,
    TemplateName: t.name,
    Type: SNAPSHOT_TEMPLATE_TYPE,
    TypeName: SNAPSHOT_TEMPLATE_TYPE_NAME,
    Subtype: t.subtype,
    SubtypeName: subtypeName(t.subtype) ?? '',
    IsDefault: isDefault,
    Status: 'Normal',
    TemplateConfig: t.config,
    CreateTime: formatRpcTime(t.createdAt),
    ModifiedTime: formatRpcTime(t.modifiedAt),
    CreationType: isSystemTemplate(t.templateId) ? 'System' : 'Custom',
  };
}

/** ICE job status of a catalog state (spec §3.2: Init, Success, Fail). */
export function jobStatus(state: SnapshotJobState): 'Init' | 'Success' | 'Fail' {
  if (state === SnapshotJobState.Success) return 'Success';
  if (state === SnapshotJobState.Fail) return 'Fail';
  return 'Init';
}

/** The catalog states an ICE status filter means. */
export function statesOf(status: 'Init' | 'Success' | 'Fail'): SnapshotJobState[] {
  if (status === 'Success') return [SnapshotJobState.Success];
  if (status === 'Fail') return [SnapshotJobState.Fail];
  return [SnapshotJobState.Queued, SnapshotJobState.Running];
}

function mediaToApi(
  m: { type: string; media: string },
  endpoint: string | undefined,
  withFile: boolean,
): Json {
  const out: Json = { Type: m.type, Media: m.media };
  const address = m.type === 'OSS' ? parseMediaAddress(m.media) : undefined;
  if (withFile && address?.kind === 'oss') {
    out.OssFile = { Bucket: address.bucket, Location: endpoint ?? '', Object: address.object };
  }
  return out;
}

function times(job: SnapshotJobRecord): Json {
  return {
    CreateTime: formatRpcTime(job.createdAt),
    SubmitTime: formatRpcTime(job.createdAt),
    ModifiedTime: formatRpcTime(job.modifiedAt),
    ...(job.finishedAt !== undefined ? { FinishTime: formatRpcTime(job.finishedAt) } : {}),
  };
}

/** GetSnapshotJob's SnapshotJob (spec §3.2). */
export function jobToApi(job: SnapshotJobRecord, inputEndpoint?: string): Json {
  return {
    JobId: job.jobId,
    Name: job.name ?? '',
    Type: job.type,
    Status: jobStatus(job.state),
    Code: job.code ?? '',
    Message: job.message ?? '',
    Async: true,
    Count: job.count,
    TriggerSource: job.triggerSource,
    TemplateId: job.templateId,
    TemplateConfig: job.templateConfig,
    PipelineId: job.pipelineId,
    UserData: job.userData ?? '',
    Input: mediaToApi(job.input, inputEndpoint, true),
    Output: mediaToApi(job.output, job.outputEndpoint, true),
    ...times(job),
  };
}

/** A ListSnapshotJobs item (spec §3.3). */
export function jobListItem(job: SnapshotJobRecord): Json {
  return {
    JobId: job.jobId,
    Name: job.name ?? '',
    Type: job.type,
    Status: jobStatus(job.state),
    Async: true,
    Count: job.count,
    TriggerSource: job.triggerSource,
    TemplateId: job.templateId,
    PipelineId: job.pipelineId,
    Input: mediaToApi(job.input, undefined, false),
    Output: mediaToApi(job.output, undefined, false),
    ...times(job),
  };
}
