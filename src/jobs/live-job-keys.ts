import type { StreamKey } from '../stream/stream-types.js';

/**
 * The hub stream key of a live snapshot job (README "Live snapshot jobs"): domain
 * `jobs.livesnap.invalid` (`.invalid` is reserved, RFC 2606, so no real domain or push can
 * collide with it), app `live-snapshot-job`, stream = the JobId. Its snapshot records carry
 * this key too, which is how ListLiveSnapshotFiles finds a job's files.
 */
export const LIVE_JOBS_DOMAIN = 'jobs.livesnap.invalid';
export const LIVE_JOBS_APP = 'live-snapshot-job';

export function liveJobStreamKey(jobId: string): StreamKey {
  return { domain: LIVE_JOBS_DOMAIN, app: LIVE_JOBS_APP, stream: jobId };
}

/** The catalog's form of the same key. */
export function liveJobRecordKey(jobId: string): {
  domainName: string;
  appName: string;
  streamName: string;
} {
  return { domainName: LIVE_JOBS_DOMAIN, appName: LIVE_JOBS_APP, streamName: jobId };
}

/** The JobId when `key` is a job's stream key. */
export function liveJobIdOf(key: {
  domain: string;
  app: string;
  stream: string;
}): string | undefined {
  return key.domain.toLowerCase() === LIVE_JOBS_DOMAIN && key.app === LIVE_JOBS_APP
    ? key.stream
    : undefined;
}
