import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotJobRecord } from '../catalog/snapshot-job-types.js';
import { silentLogger } from '../log.js';
import { JobInterruptedError } from './job-errors.js';
import { JobScheduler } from './job-scheduler.js';

function fakeJob(jobId: string, pipelineId: string): SnapshotJobRecord {
  return { jobId, pipelineId } as SnapshotJobRecord;
}

/** Queues per pipeline; each started job runs until the test ends it. */
function harness(queues: Record<string, string[]>) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const aborted: unknown[] = [];
  const claim = async (pipelineId: string) => {
    const id = queues[pipelineId]?.shift();
    return id === undefined ? undefined : fakeJob(id, pipelineId);
  };
  const run = (job: SnapshotJobRecord, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started.push(job.jobId);
      finish.set(job.jobId, resolve);
      signal.addEventListener('abort', () => {
        aborted.push(signal.reason);
        resolve();
      });
    });
  return { started, finish, aborted, claim, run };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('JobScheduler', () => {
  it('fills free slots from the highest-priority pipeline, within each pipeline limit', async () => {
    const h = harness({ low: ['l1', 'l2', 'l3'], high: ['h1', 'h2', 'h3'] });
    const s = new JobScheduler({
      pipelines: [
        { id: 'low', concurrency: 2, priority: 1 },
        { id: 'high', concurrency: 1, priority: 9 },
      ],
      concurrency: 2,
      pollIntervalMs: 10_000,
      claim: h.claim,
      run: h.run,
      logger: silentLogger(),
    });
    s.start();
    await tick();
    // high takes one slot (its limit), low the other.
    assert.deepEqual(h.started, ['h1', 'l1']);
    h.finish.get('l1')!();
    await tick();
    assert.deepEqual(h.started, ['h1', 'l1', 'l2'], 'high is at its own limit');
    h.finish.get('h1')!();
    await tick();
    assert.deepEqual(h.started, ['h1', 'l1', 'l2', 'h2']);
    assert.equal(s.running.length, 2);
    await s.close();
    assert.equal(h.aborted.length, 2);
    assert.ok(h.aborted.every((r) => r instanceof JobInterruptedError));
  });

  it('aborts one running job on request and picks up work when woken', async () => {
    const queues: Record<string, string[]> = { default: [] };
    const h = harness(queues);
    const s = new JobScheduler({
      pipelines: [{ id: 'default', concurrency: 1, priority: 5 }],
      concurrency: 4,
      pollIntervalMs: 10_000,
      claim: h.claim,
      run: h.run,
      logger: silentLogger(),
    });
    s.start();
    await tick();
    assert.deepEqual(h.started, []);
    queues.default!.push('a', 'b');
    s.wake();
    await tick();
    assert.deepEqual(h.started, ['a']);
    assert.equal(s.abort('a', new Error('cancelled')), true);
    assert.equal(s.abort('zzz', new Error('x')), false);
    await tick();
    assert.deepEqual(h.started, ['a', 'b']);
    await s.close();
  });
});
