import type { SnapshotJobCatalog, SnapshotJobRecord } from '../../catalog/snapshot-job-types.js';
import { SnapshotJobState } from '../../catalog/snapshot-job-types.js';
import { InputType, storeForBucket, type JobStores } from '../../jobs/job-storage.js';
import { MAX_MEDIA_LENGTH, parseMediaAddress } from '../../jobs/media-address.js';
import { outputNameProblem } from '../../jobs/output-naming.js';
import { resolveSettings } from '../../jobs/snapshot-settings.js';
import {
  mergeTemplateConfig,
  parseTemplateConfig,
  type TemplateConfig,
} from '../../jobs/template-config.js';
import { ApiVersion, type ActionContext, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { isCallbackUrl } from '../field-rules.js';
import type { ParamReader } from '../param-reader.js';
import { parseRpcTime } from '../rpc-time.js';
import {
  findTemplate,
  invalidField,
  jobListItem,
  jobToApi,
  jsonString,
  newIceId,
  readJsonObject,
  statesOf,
  templateConfigInvalid,
} from './ice-snapshot-params.js';

/** What the job actions need from the job service. */
export interface SnapshotJobControl {
  readonly pipelineIds: readonly string[];
  readonly defaultPipeline: string;
  submit(job: SnapshotJobRecord): Promise<void>;
  cancel(jobId: string): Promise<SnapshotJobRecord | undefined>;
}

export interface IceSnapshotJobDeps {
  catalog: Pick<
    SnapshotJobCatalog,
    'getSnapshotJob' | 'listSnapshotJobs' | 'getSnapshotTemplate' | 'getMediaAsset'
  >;
  jobs: SnapshotJobControl;
  stores: JobStores;
  /** A URL of an output, signed for the caller, valid `ttlSec`; undefined = none to give. */
  signUrl?: (
    object: { endpoint: string; bucket: string; object: string },
    accessKeyId: string,
    ttlSec: number,
  ) => string | undefined | Promise<string | undefined>;
}

const NAME_MAX = 128;
const USER_DATA_MAX = 1024;
const LIST_PAGE = { min: 1, max: 100, default: 20 };
const URL_PAGE = { min: 1, max: 30, default: 10 };
const URL_TIMEOUT = { min: 1, max: 129_600, default: 3600 };
const TRIGGER_SOURCE = 'API';
const ORDERS = ['CreateTimeDesc', 'CreateTimeAsc'] as const;

function readMedia(p: ParamReader, name: 'Input' | 'Output') {
  const obj = readJsonObject(p, name, true);
  const type = jsonString(obj, name, 'Type', 16);
  const media = jsonString(obj, name, 'Media', MAX_MEDIA_LENGTH);
  const normalised =
    type.toUpperCase() === 'OSS'
      ? InputType.OSS
      : type.toLowerCase() === 'media'
        ? InputType.Media
        : undefined;
  if (!normalised) throw invalidField(name, 'Type', 'must be OSS or Media');
  return { type: normalised, media };
}

async function readInput(p: ParamReader, deps: IceSnapshotJobDeps) {
  const input = readMedia(p, 'Input');
  if (input.type === InputType.Media) {
    if (!(await deps.catalog.getMediaAsset(input.media))) {
      throw invalidField('Input', 'Media', `no media ${input.media} is registered`);
    }
    return input;
  }
  if (!parseMediaAddress(input.media)) {
    throw invalidField('Input', 'Media', 'expected oss://bucket/object or an http(s) URL');
  }
  return input;
}

function readOutput(p: ParamReader) {
  const output = readMedia(p, 'Output');
  if (output.type !== InputType.OSS) {
    throw invalidField('Output', 'Type', 'only OSS outputs are supported');
  }
  const address = parseMediaAddress(output.media);
  if (address?.kind !== 'oss') {
    throw invalidField('Output', 'Media', 'expected oss://bucket/object');
  }
  return { ...output, bucket: address.bucket, object: address.object };
}

/** The effective TemplateConfig: the template's, with OverwriteParams applied. */
async function readTemplate(p: ParamReader, deps: IceSnapshotJobDeps) {
  const obj = readJsonObject(p, 'TemplateConfig', true);
  const templateId = jsonString(obj, 'TemplateConfig', 'TemplateId', 64);
  const template = await findTemplate(deps.catalog, templateId);
  if (!template) throw new ApiError('TemplateNotFound');
  let overrides: TemplateConfig = {};
  let config: TemplateConfig;
  try {
    if (obj.OverwriteParams !== undefined && obj.OverwriteParams !== null) {
      overrides = parseTemplateConfig(obj.OverwriteParams);
    }
  } catch (err) {
    throw templateConfigInvalid('TemplateConfig.OverwriteParams', err);
  }
  try {
    config = mergeTemplateConfig(parseTemplateConfig(JSON.parse(template.config)), overrides);
    return { templateId, config, settings: resolveSettings(config) };
  } catch (err) {
    throw templateConfigInvalid('TemplateConfig', err);
  }
}

function readPipeline(p: ParamReader, deps: IceSnapshotJobDeps): string {
  const obj = readJsonObject(p, 'ScheduleConfig', false);
  const id = obj?.PipelineId;
  if (id === undefined || id === null || id === '') return deps.jobs.defaultPipeline;
  if (typeof id !== 'string' || !deps.jobs.pipelineIds.includes(id)) {
    throw invalidField(
      'ScheduleConfig',
      'PipelineId',
      `no such pipeline (configured: ${deps.jobs.pipelineIds.join(', ')})`,
    );
  }
  return id;
}

/** UserData is echoed; a JSON object in it may name a callback receiver (NotifyAddress). */
function readUserData(p: ParamReader): { userData?: string; notifyUrl?: string } {
  const userData = p.optionalString('UserData', { maxLength: USER_DATA_MAX });
  if (userData === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData);
  } catch {
    return { userData };
  }
  const address = (parsed as { NotifyAddress?: unknown } | null)?.NotifyAddress;
  if (address === undefined || address === null || address === '') return { userData };
  if (typeof address !== 'string' || !isCallbackUrl(address)) {
    throw invalidField('UserData', 'NotifyAddress', 'must be an http or https URL');
  }
  return { userData, notifyUrl: address };
}

function encodeToken(job: { createdAt: number; jobId: string }): string {
  return Buffer.from(JSON.stringify([job.createdAt, job.jobId])).toString('base64url');
}

function decodeToken(p: ParamReader, token: string) {
  try {
    const [createdAt, jobId] = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown[];
    if (typeof createdAt === 'number' && typeof jobId === 'string') return { createdAt, jobId };
  } catch {
    // reported below
  }
  throw p.invalid('NextPageToken', 'not a token from an earlier page');
}

function readTime(p: ParamReader, name: string): number | undefined {
  const raw = p.optionalString(name, { maxLength: 32 });
  if (raw === undefined) return undefined;
  const ms = parseRpcTime(raw);
  if (ms === undefined) throw p.invalid(name, 'expected yyyy-MM-ddTHH:mm:ssZ');
  return ms;
}

async function getJob(deps: IceSnapshotJobDeps, p: ParamReader): Promise<SnapshotJobRecord> {
  const jobId = p.string('JobId', { maxLength: 64 });
  const job = await deps.catalog.getSnapshotJob(jobId);
  if (!job) throw new ApiError('JobNotFound');
  return job;
}

/**
 * SubmitSnapshotJob, GetSnapshotJob, ListSnapshotJobs, GetSnapshotUrls (spec §3.1–3.4) and
 * livesnap's CancelSnapshotJob (Version 2020-11-09).
 */
export function registerIceSnapshotJobActions(registry: ActionRegistry, deps: IceSnapshotJobDeps) {
  const version = ApiVersion.Ice;

  registry.register({
    version,
    action: 'SubmitSnapshotJob',
    handler: async (p, ctx: ActionContext) => {
      const input = await readInput(p, deps);
      const output = readOutput(p);
      const { templateId, config, settings } = await readTemplate(p, deps);
      const problem = outputNameProblem(settings.type, output.object, settings.count);
      if (problem) throw invalidField('Output', 'Media', problem);
      const pipelineId = readPipeline(p, deps);
      const name = p.optionalString('Name', { maxLength: NAME_MAX });
      const { userData, notifyUrl } = readUserData(p);
      const store = await storeForBucket(deps.stores, output.bucket);
      const now = ctx.now();
      const job: SnapshotJobRecord = {
        jobId: newIceId(),
        ...(name !== undefined ? { name } : {}),
        type: settings.type,
        state: SnapshotJobState.Queued,
        templateId,
        templateConfig: JSON.stringify(config),
        pipelineId,
        ...(userData !== undefined ? { userData } : {}),
        triggerSource: TRIGGER_SOURCE,
        input,
        output: { type: output.type, media: output.media },
        outputEndpoint: store.name,
        outputBucket: output.bucket,
        outputObject: output.object,
        images: [],
        count: 0,
        attempts: 0,
        cancelRequested: false,
        ...(notifyUrl !== undefined ? { notifyUrl } : {}),
        createdAt: now,
        modifiedAt: now,
      };
      await deps.jobs.submit(job);
      ctx.log.info({ jobId: job.jobId, type: job.type, pipelineId }, 'snapshot job submitted');
      return { JobId: job.jobId };
    },
  });

  registry.register({
    version,
    action: 'GetSnapshotJob',
    handler: async (p) => {
      const job = await getJob(deps, p);
      const address =
        job.input.type === InputType.OSS ? parseMediaAddress(job.input.media) : undefined;
      const inputStore =
        address?.kind === 'oss'
          ? (await storeForBucket(deps.stores, address.bucket)).name
          : undefined;
      return { SnapshotJob: jobToApi(job, inputStore) };
    },
  });

  registry.register({
    version,
    action: 'ListSnapshotJobs',
    handler: async (p) => {
      const jobId = p.optionalString('JobId', { maxLength: 64 });
      const status = p.optionalOneOf('Status', ['Init', 'Success', 'Fail'] as const);
      const createdFrom = readTime(p, 'StartOfCreateTime');
      const createdTo = readTime(p, 'EndOfCreateTime');
      const order = p.optionalOneOf('OrderBy', ORDERS) ?? 'CreateTimeDesc';
      const limit = p.optionalInteger('PageSize', LIST_PAGE) ?? LIST_PAGE.default;
      const token = p.optionalString('NextPageToken', { maxLength: 512 });
      const page = await deps.catalog.listSnapshotJobs({
        ...(jobId !== undefined ? { jobId } : {}),
        ...(status !== undefined ? { states: statesOf(status) } : {}),
        ...(createdFrom !== undefined ? { createdFrom } : {}),
        ...(createdTo !== undefined ? { createdTo } : {}),
        order: order === 'CreateTimeAsc' ? 'asc' : 'desc',
        limit,
        ...(token !== undefined ? { after: decodeToken(p, token) } : {}),
      });
      return {
        NextPageToken: page.next ? encodeToken(page.next) : '',
        Jobs: page.items.map(jobListItem),
      };
    },
  });

  registry.register({
    version,
    action: 'GetSnapshotUrls',
    handler: async (p, ctx) => {
      const order = p.optionalOneOf('OrderBy', ['Asc', 'Desc'] as const) ?? 'Asc';
      const pageNumber = p.optionalInteger('PageNumber', { min: 1, max: 1_000_000 }) ?? 1;
      const pageSize = p.optionalInteger('PageSize', URL_PAGE) ?? URL_PAGE.default;
      const ttl = p.optionalInteger('Timeout', URL_TIMEOUT) ?? URL_TIMEOUT.default;
      const job = await getJob(deps, p);
      const url = async (object: string): Promise<string> => {
        const ref = { endpoint: job.outputEndpoint, bucket: job.outputBucket, object };
        return (
          (await deps.signUrl?.(ref, ctx.accessKeyId, ttl)) ?? `oss://${job.outputBucket}/${object}`
        );
      };
      const done = job.state === SnapshotJobState.Success;
      const images = done ? [...job.images] : [];
      if (order === 'Desc') images.reverse();
      const page = images.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return {
        Total: images.length,
        SnapshotUrls: await Promise.all(page.map(url)),
        ...(done && job.vtt ? { WebVTTUrl: await url(job.vtt) } : {}),
      };
    },
  });

  registry.register({
    version,
    action: 'CancelSnapshotJob',
    handler: async (p, ctx) => {
      const jobId = p.string('JobId', { maxLength: 64 });
      const job = await deps.jobs.cancel(jobId);
      if (!job) throw new ApiError('JobNotFound');
      if (job.state === SnapshotJobState.Success) throw new ApiError('JobAlreadyFinished');
      if (job.state === SnapshotJobState.Fail && !job.cancelRequested) {
        throw new ApiError('JobAlreadyFinished');
      }
      ctx.log.info({ jobId }, 'snapshot job cancel requested');
      return { JobId: jobId };
    },
  });
}
