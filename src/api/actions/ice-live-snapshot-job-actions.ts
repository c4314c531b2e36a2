import { randomUUID } from 'node:crypto';
import type { Catalog, LiveSnapshotJob } from '../../catalog/catalog-types.js';
import { PULL_INPUT_TYPES, pullUrlProblem } from '../../ingest/pull-url.js';
import { LIVE_JOBS_DOMAIN } from '../../jobs/live-job-keys.js';
import type { CommandResult, LiveJobCommand } from '../../jobs/live-job-manager.js';
import type { LiveJobRunStatus, PullState } from '../../jobs/live-job-runner.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { isCallbackUrl, OSS_BUCKET } from '../field-rules.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime } from '../rpc-time.js';
import {
  jsonString,
  KEYWORD_MAX,
  NAME_MAX,
  readId,
  readJsonObject,
  readPage,
  readSortBy,
  readTime,
} from './ice-live-snapshot-params.js';

/** What the job actions need from the job manager (src/jobs/live-job-manager.ts). */
export interface LiveJobControl {
  readonly maxActive: number;
  submit(job: LiveSnapshotJob): Promise<boolean>;
  command(jobId: string, command: LiveJobCommand): Promise<CommandResult>;
  status(jobId: string): LiveJobRunStatus | undefined;
}

export interface LiveJobActionDeps {
  catalog: Pick<Catalog, 'getLiveTemplate' | 'getLiveJob' | 'listLiveJobs'>;
  jobs: LiveJobControl;
  /** Configured storage names (`SnapshotOutput.Endpoint`) and the default one. */
  storage: { names: () => readonly string[]; defaultName: () => string };
  newId?: () => string;
}

const URL_MAX = 255;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_WINDOW_MS = 7 * DAY_MS;
const MAX_WINDOW_MS = 30 * DAY_MS;
const STATUSES = ['init', 'started', 'paused'] as const;
const COMMANDS: readonly LiveJobCommand[] = ['start', 'stop', 'restart'];
/** OSS endpoints as Alibaba Cloud SDK users write them; they mean the default storage here. */
const OSS_ENDPOINT = /^oss-[a-z0-9-]+(\.aliyuncs\.com)?$/i;

interface StreamInput {
  type: string;
  url: string;
}

function readStreamInput(p: ParamReader): StreamInput {
  const input = readJsonObject(p, 'StreamInput');
  const type = jsonString(p, input, 'StreamInput', 'Type', 32).toLowerCase();
  const url = jsonString(p, input, 'StreamInput', 'Url', URL_MAX);
  if (!(type in PULL_INPUT_TYPES)) {
    throw p.invalid(
      'StreamInput.Type',
      `must be one of ${Object.keys(PULL_INPUT_TYPES).join(', ')}`,
    );
  }
  const problem = pullUrlProblem(url, type);
  if (problem) throw p.invalid('StreamInput.Url', problem);
  const parsed = new URL(url);
  const vhost = parsed.searchParams.get('vhost') ?? parsed.searchParams.get('domain');
  if ([parsed.hostname, vhost].some((h) => h?.toLowerCase() === LIVE_JOBS_DOMAIN)) {
    throw p.invalid('StreamInput.Url', 'it names the streams of live snapshot jobs themselves');
  }
  return { type, url };
}

function readSnapshotOutput(p: ParamReader, deps: LiveJobActionDeps) {
  const output = readJsonObject(p, 'SnapshotOutput');
  const storageType = jsonString(p, output, 'SnapshotOutput', 'StorageType', 16).toLowerCase();
  const endpoint = jsonString(p, output, 'SnapshotOutput', 'Endpoint', 128);
  const bucket = jsonString(p, output, 'SnapshotOutput', 'Bucket', 63);
  if (storageType !== 'oss') throw p.invalid('SnapshotOutput.StorageType', 'must be oss');
  if (!OSS_BUCKET.test(bucket)) {
    throw p.invalid('SnapshotOutput.Bucket', '3–63 characters of a-z, 0-9 and "-"');
  }
  const names = deps.storage.names();
  let storageEndpoint: string;
  if (names.includes(endpoint)) storageEndpoint = endpoint;
  else if (OSS_ENDPOINT.test(endpoint)) storageEndpoint = deps.storage.defaultName();
  else {
    throw p.invalid(
      'SnapshotOutput.Endpoint',
      `no storage named "${endpoint}" is configured (${names.join(', ')})`,
    );
  }
  return { storageType, endpoint, bucket, storageEndpoint };
}

function readCallbackUrl(p: ParamReader): string | undefined {
  const url = p.optionalString('CallbackUrl', { maxLength: URL_MAX });
  if (url !== undefined && !isCallbackUrl(url)) {
    throw p.invalid('CallbackUrl', 'must be an http or https URL');
  }
  return url;
}

function pullState(job: LiveSnapshotJob, run: LiveJobRunStatus | undefined): PullState {
  return run?.state ?? (job.active ? 'connecting' : 'stopped');
}

/** livesnap's additions to a job: where it is with its source. */
function runtimeFields(job: LiveSnapshotJob, run: LiveJobRunStatus | undefined) {
  const lastError = run?.lastError ?? job.lastError;
  const lastErrorAt = run?.lastErrorAt ?? job.lastErrorAt;
  return {
    PullStatus: pullState(job, run),
    ...(lastError !== undefined && { LastError: lastError }),
    ...(lastErrorAt !== undefined && { LastErrorTime: formatRpcTime(lastErrorAt) }),
    ...(run?.connectedAt !== undefined && { ConnectedTime: formatRpcTime(run.connectedAt) }),
    ...(run?.nextRetryAt !== undefined && { NextRetryTime: formatRpcTime(run.nextRetryAt) }),
  };
}

function snapshotOutput(job: LiveSnapshotJob) {
  return { StorageType: job.storageType, Endpoint: job.outputEndpoint, Bucket: job.outputBucket };
}

/** SubmitLiveSnapshotJob, Get/ListLiveSnapshotJob(s), SendLiveSnapshotJobCommand (§4.6–4.9). */
export function registerLiveJobActions(registry: ActionRegistry, deps: LiveJobActionDeps): void {
  const { catalog, jobs } = deps;
  const version = ApiVersion.Ice;
  const newId = deps.newId ?? randomUUID;

  async function existing(jobId: string): Promise<LiveSnapshotJob> {
    const job = await catalog.getLiveJob(jobId);
    if (!job) throw new ApiError('JobNotFound');
    return job;
  }

  registry.register({
    version,
    action: 'SubmitLiveSnapshotJob',
    handler: async (p, ctx) => {
      const jobName = p.string('JobName', { maxLength: NAME_MAX });
      const templateId = readId(p, 'TemplateId');
      const input = readStreamInput(p);
      const output = readSnapshotOutput(p, deps);
      const callbackUrl = readCallbackUrl(p);
      const template = await catalog.getLiveTemplate(templateId);
      if (!template) throw new ApiError('TemplateNotFound');
      const now = ctx.now();
      const job: LiveSnapshotJob = {
        jobId: newId(),
        jobName,
        templateId,
        templateName: template.templateName,
        timeInterval: template.timeInterval,
        ...(template.overwriteFormat !== undefined && {
          overwriteFormat: template.overwriteFormat,
        }),
        ...(template.sequenceFormat !== undefined && { sequenceFormat: template.sequenceFormat }),
        ...(callbackUrl !== undefined && { callbackUrl }),
        inputType: input.type,
        inputUrl: input.url,
        storageType: output.storageType,
        outputEndpoint: output.endpoint,
        outputBucket: output.bucket,
        storageEndpoint: output.storageEndpoint,
        status: 'init',
        active: true,
        createdAt: now,
        updatedAt: now,
      };
      if (!(await jobs.submit(job))) {
        throw new ApiError('JobLimitExceeded', {
          message: `Job limit exceeded: at most ${jobs.maxActive} live snapshot jobs run at once.`,
        });
      }
      ctx.log.info({ jobId: job.jobId, templateId }, 'live snapshot job submitted');
      return { JobId: job.jobId };
    },
  });

  registry.register({
    version,
    action: 'GetLiveSnapshotJob',
    handler: async (p) => {
      const job = await existing(readId(p, 'JobId'));
      return {
        JobId: job.jobId,
        JobName: job.jobName,
        Status: job.status,
        TemplateId: job.templateId,
        TemplateName: job.templateName,
        TimeInterval: job.timeInterval,
        ...(job.overwriteFormat !== undefined && { OverwriteFormat: job.overwriteFormat }),
        ...(job.sequenceFormat !== undefined && { SequenceFormat: job.sequenceFormat }),
        ...(job.callbackUrl !== undefined && { CallbackUrl: job.callbackUrl }),
        StreamInput: { Type: job.inputType, Url: job.inputUrl },
        SnapshotOutput: snapshotOutput(job),
        CreateTime: formatRpcTime(job.createdAt),
        LastModified: formatRpcTime(job.updatedAt),
        ...runtimeFields(job, jobs.status(job.jobId)),
      };
    },
  });

  registry.register({
    version,
    action: 'ListLiveSnapshotJobs',
    handler: async (p, ctx) => {
      const startArg = readTime(p, 'StartTime', false);
      const endArg = readTime(p, 'EndTime', false);
      const now = ctx.now();
      const start = startArg ?? (endArg ?? now) - DEFAULT_WINDOW_MS;
      const end = endArg ?? (startArg !== undefined ? startArg + DEFAULT_WINDOW_MS : now);
      if (end < start || end - start > MAX_WINDOW_MS) throw new ApiError('EndTimeMismatch');
      const status = p.optionalOneOf('Status', STATUSES);
      const keyword = p.optionalString('SearchKeyWord', { maxLength: KEYWORD_MAX });
      const { pageNo, pageSize, offset } = readPage(p);
      const order = readSortBy(p, 'desc');
      const { total, items } = await catalog.listLiveJobs({
        startMs: start,
        endMs: end,
        order,
        offset,
        limit: pageSize,
        ...(status !== undefined && { status }),
        ...(keyword !== undefined && { keyword }),
      });
      return {
        PageNo: pageNo,
        PageSize: pageSize,
        SortBy: order,
        TotalCount: total,
        JobList: items.map((job) => ({
          JobId: job.jobId,
          JobName: job.jobName,
          TemplateId: job.templateId,
          TemplateName: job.templateName,
          Status: job.status,
          TimeInterval: job.timeInterval,
          CreateTime: formatRpcTime(job.createdAt),
          StreamInput: { Type: job.inputType, Url: job.inputUrl },
          SnapshotOutput: snapshotOutput(job),
          PullStatus: pullState(job, jobs.status(job.jobId)),
        })),
      };
    },
  });

  registry.register({
    version,
    action: 'SendLiveSnapshotJobCommand',
    handler: async (p, ctx) => {
      const jobId = readId(p, 'JobId');
      const raw = p.string('Command', { maxLength: 16 }).toLowerCase();
      const command = COMMANDS.find((c) => c === raw);
      if (!command) throw p.invalid('Command', `must be one of ${COMMANDS.join(', ')}`);
      const result = await jobs.command(jobId, command);
      switch (result) {
        case 'not-found':
          throw new ApiError('JobNotFound');
        case 'limit':
          throw new ApiError('JobLimitExceeded', {
            message: `Job limit exceeded: at most ${jobs.maxActive} live snapshot jobs run at once.`,
          });
        case 'already-started':
          throw new ApiError('JobAlreadyStarted');
        case 'ok':
          ctx.log.info({ jobId, command }, 'live snapshot job command');
          return {};
      }
    },
  });
}
