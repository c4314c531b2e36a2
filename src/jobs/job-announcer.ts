import { randomUUID } from 'node:crypto';
import type { CallbackEntryInput } from '../catalog/callback-types.js';
import type { SnapshotJobOutcome, SnapshotJobRecord } from '../catalog/snapshot-job-types.js';
import { callbackOrigin, uniqueReceivers } from '../notify/callback-entries.js';
import { MAX_ERROR_TEXT, utcSeconds } from '../notify/callback-events.js';

/**
 * The completion callback of a snapshot job, written to the callback outbox in the same
 * transaction as the job's end (so it survives outages and restarts like every livesnap
 * callback). The body is ICE's event envelope (spec §3.6) with livesnap's `Event` field:
 *
 *   {"Event": "SnapshotComplete", "EventType": "SnapshotComplete", "EventTime": "…Z",
 *    "MessageBody": {"JobId", "Name", "Type", "Status": "Success"|"Fail", "Code", "Message",
 *                    "Count", "TemplateId", "PipelineId", "UserData", "Input", "Output",
 *                    "CreateTime", "FinishTime"}}
 *
 * Receivers: `jobs.notifyUrl` (configuration) and the job's UserData `NotifyAddress`.
 */
export const SNAPSHOT_COMPLETE_EVENT = 'SnapshotComplete';

/** Outbox entries are keyed by domain; job callbacks belong to none. */
export const JOB_CALLBACK_DOMAIN = '';

export function snapshotCompleteBody(
  job: SnapshotJobRecord,
  outcome: SnapshotJobOutcome,
  now: number,
): Record<string, unknown> {
  const success = outcome.state === 'success';
  const message = success ? '' : outcome.message;
  return {
    Event: SNAPSHOT_COMPLETE_EVENT,
    EventType: SNAPSHOT_COMPLETE_EVENT,
    EventTime: utcSeconds(now),
    MessageBody: {
      JobId: job.jobId,
      Name: job.name ?? '',
      Type: job.type,
      Status: success ? 'Success' : 'Fail',
      Code: success ? '' : outcome.code,
      Message:
        message.length > MAX_ERROR_TEXT ? `${message.slice(0, MAX_ERROR_TEXT - 1)}…` : message,
      Count: success ? outcome.count : 0,
      TemplateId: job.templateId,
      PipelineId: job.pipelineId,
      UserData: job.userData ?? '',
      Input: { Type: job.input.type, Media: job.input.media },
      Output: { Type: job.output.type, Media: job.output.media },
      CreateTime: utcSeconds(job.createdAt),
      FinishTime: utcSeconds(now),
    },
  };
}

/** One outbox entry per receiver (the same URL once). */
export function jobCallbackEntries(
  job: SnapshotJobRecord,
  outcome: SnapshotJobOutcome,
  receivers: ReadonlyArray<string | undefined>,
  now: number,
): CallbackEntryInput[] {
  const urls = uniqueReceivers(receivers);
  if (urls.length === 0) return [];
  const body = JSON.stringify(snapshotCompleteBody(job, outcome, now));
  return urls.map((url) => ({
    eventId: randomUUID(),
    event: SNAPSHOT_COMPLETE_EVENT,
    domainName: JOB_CALLBACK_DOMAIN,
    url,
    origin: callbackOrigin(url),
    body,
    createdAt: now,
  }));
}
