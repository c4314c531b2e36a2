import type { CapturedSnapshot, SnapshotSink, StoreOutcome } from '../capture/engine-types.js';
import { liveJobIdOf } from './live-job-keys.js';
import { fillCaptureTime } from './live-job-naming.js';

/**
 * The snapshot sink with live snapshot jobs' naming: for a job's stream, {UnixTimestamp}
 * (milliseconds) and {Date} of the job's formats are filled with the capture time before the
 * snapshot store renders the rest ({Sequence}); other streams pass through unchanged.
 */
export class LiveJobSink implements SnapshotSink {
  readonly #inner: SnapshotSink;

  constructor(inner: SnapshotSink) {
    this.#inner = inner;
  }

  store(snapshot: CapturedSnapshot): Promise<StoreOutcome> {
    if (liveJobIdOf(snapshot.key) === undefined) return this.#inner.store(snapshot);
    const { rule, capturedAt } = snapshot;
    return this.#inner.store({
      ...snapshot,
      rule: {
        ...rule,
        ...(rule.overwriteObject && {
          overwriteObject: fillCaptureTime(rule.overwriteObject, capturedAt),
        }),
        ...(rule.sequenceObject && {
          sequenceObject: fillCaptureTime(rule.sequenceObject, capturedAt),
        }),
      },
    });
  }
}
