import type { CaptureRule, RuleSource } from '../capture/engine-types.js';
import { LIVE_JOBS_APP, LIVE_JOBS_DOMAIN } from './live-job-keys.js';

/** What the rule source needs from the job manager. */
export interface JobRules {
  ruleFor(jobId: string): CaptureRule | undefined;
}

/**
 * The capture engine's rules with live snapshot jobs composed in: a job's stream
 * (src/jobs/live-job-keys.ts) gets its job's rule, nothing else from that reserved domain;
 * every other stream gets `fallback`'s (the catalog's snapshot rules).
 */
export function liveJobRules(jobs: JobRules, fallback: RuleSource): RuleSource {
  return {
    async resolveRule(domain, app, stream) {
      if (domain.toLowerCase() !== LIVE_JOBS_DOMAIN)
        return fallback.resolveRule(domain, app, stream);
      if (app !== LIVE_JOBS_APP || stream === undefined) return undefined;
      return jobs.ruleFor(stream);
    },
  };
}
