import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../log.js';
import { StreamHub } from '../stream/hub.js';
import type { AccessUnit, CodecConfig } from '../stream/stream-types.js';
import { CaptureOverloadedError } from './capture-errors.js';
import { CaptureEngine } from './engine.js';
import type {
  CaptureRule,
  CapturedSnapshot,
  EncodedSnapshot,
  KeyframeEncoder,
  SnapshotSink,
  StoreOutcome,
} from './engine-types.js';

const key = { domain: 'd.example.com', app: 'live', stream: 's1' };
const info = {
  remote: '127.0.0.1:1',
  tcUrl: 'rtmp://d.example.com/live',
  query: {},
  protocol: 'rtmp',
};
const config: CodecConfig = {
  codec: 'h264',
  record: Buffer.alloc(4),
  width: 64,
  height: 48,
  profile: 'High',
};
const rule: CaptureRule = {
  domain: key.domain,
  ruleApp: 'live',
  timeIntervalSec: 5,
  endpoint: 'local',
  bucket: 'b',
  sequenceObject: '{Sequence}.jpg',
};
const unit = (dts: number, keyframe: boolean): AccessUnit => ({
  dts,
  pts: dts,
  keyframe,
  data: Buffer.from([dts & 0xff]),
});

/** An encoder whose decodes finish when the test says so. */
class ManualEncoder implements KeyframeEncoder {
  readonly calls: Array<{ dts: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  decode(_config: CodecConfig, u: AccessUnit): Promise<EncodedSnapshot> {
    return new Promise((resolve, reject) => {
      this.calls.push({
        dts: u.dts,
        resolve: () => resolve({ jpeg: Buffer.from(`jpeg@${u.dts}`), width: 64, height: 48 }),
        reject,
      });
    });
  }
}

class RecordingSink implements SnapshotSink {
  readonly stored: CapturedSnapshot[] = [];
  async store(s: CapturedSnapshot): Promise<StoreOutcome> {
    this.stored.push(s);
    const stored = [
      {
        key: s.key,
        endpoint: 'local',
        bucket: 'b',
        object: `${this.stored.length}.jpg`,
        isOverlay: false,
        createTimestamp: s.capturedAt,
        width: s.width,
        height: s.height,
        size: s.jpeg.length,
      },
    ];
    return { stored, failures: [] };
  }
}

function setup(ruleFor: CaptureRule | undefined, encoder: KeyframeEncoder, sink: SnapshotSink) {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 1000 });
  const engine = new CaptureEngine({
    hub,
    rules: { resolveRule: async () => ruleFor },
    encoder,
    sink,
    logger: silentLogger(),
  });
  engine.start();
  return { hub, engine };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('only the chosen keyframes are decoded, and stores keep capture order when decodes finish out of order', async () => {
  const encoder = new ManualEncoder();
  const sink = new RecordingSink();
  const { hub, engine } = setup(rule, encoder, sink);
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  // 12 s at 25 fps, a keyframe every second → captures at 0, 5 and 10 s
  for (let i = 0; i < 300; i++) pub.accessUnit(unit(i * 40, i % 25 === 0));
  await tick();
  assert.deepEqual(
    encoder.calls.map((c) => c.dts),
    [0, 5000, 10000],
  );
  encoder.calls[2]!.resolve();
  encoder.calls[1]!.resolve();
  await tick();
  assert.equal(sink.stored.length, 0, 'later captures wait for the first one');
  encoder.calls[0]!.resolve();
  await tick();
  assert.deepEqual(
    sink.stored.map((s) => s.streamTs),
    [0, 5000, 10000],
  );
  const times = sink.stored.map((s) => s.capturedAt);
  assert.ok(times[0]! < times[1]! && times[1]! < times[2]!, 'capture times strictly increase');
  const [status] = engine.status();
  assert.equal(status!.taken, 3);
  assert.equal(status!.codec, 'h264');
  pub.close('done');
  await engine.close();
});

test('an overloaded decoder skips the snapshot and counts it; a failed decode is counted and announced', async () => {
  let n = 0;
  const encoder: KeyframeEncoder = {
    decode: async () => {
      n++;
      if (n === 1) throw new CaptureOverloadedError(2, 64);
      if (n === 2) throw new Error('corrupt slice');
      return { jpeg: Buffer.from('ok'), width: 1, height: 1 };
    },
  };
  const sink = new RecordingSink();
  const { hub, engine } = setup(rule, encoder, sink);
  const failures: string[] = [];
  engine.on('snapshot.failed', (f) => failures.push(`${f.stage}: ${f.error}`));
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  for (let i = 0; i < 300; i++) pub.accessUnit(unit(i * 40, i % 25 === 0));
  await tick();
  const [status] = engine.status();
  assert.equal(status!.skipped, 1);
  assert.equal(status!.failed, 1);
  assert.equal(status!.taken, 1);
  assert.deepEqual(failures, ['decode: corrupt slice']);
  assert.match(status!.lastError ?? '', /corrupt slice/);
  pub.close('done');
  await engine.close();
});

test('a keyframe the full decoder cannot take is skipped, and the next keyframe is captured instead', async () => {
  const calls: number[] = [];
  let full = false;
  let refused = 0;
  const encoder: KeyframeEncoder = {
    decode: async (_config, u) => {
      calls.push(u.dts);
      return { jpeg: Buffer.from('ok'), width: 1, height: 1 };
    },
    accepting: () => !full,
    refused: () => refused++,
  };
  const sink = new RecordingSink();
  const { hub, engine } = setup(rule, encoder, sink);
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  // A keyframe every second, rule every 5 s: 0 is taken; 5 s and 6 s arrive while the
  // decoder is full, so 7 s is taken (one snapshot skipped, not two), then 12 s.
  for (let i = 0; i < 350; i++) {
    const dts = i * 40;
    full = dts === 5000 || dts === 6000;
    pub.accessUnit(unit(dts, i % 25 === 0));
    await new Promise((r) => setImmediate(r));
  }
  await tick();
  assert.deepEqual(calls, [0, 7000, 12000]);
  assert.equal(refused, 2);
  const [status] = engine.status();
  assert.equal(status!.skipped, 1);
  assert.equal(status!.taken, 3);
  pub.close('done');
  await engine.close();
});

test('a keyframe interval longer than the rule interval is reported in the status', async () => {
  const encoder: KeyframeEncoder = {
    decode: async () => ({ jpeg: Buffer.from('x'), width: 1, height: 1 }),
  };
  const { hub, engine } = setup(rule, encoder, new RecordingSink());
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  // a keyframe every 8 s
  for (let i = 0; i < 25 * 30; i++) pub.accessUnit(unit(i * 40, i % 200 === 0));
  await tick();
  const [status] = engine.status();
  assert.equal(status!.keyframeIntervalTooLong, true);
  assert.equal(status!.taken, 4, 'every keyframe (0, 8, 16, 24 s) is captured');
  pub.close('done');
  await engine.close();
});

test('streams without a rule are not captured; status still describes them', async () => {
  const encoder = new ManualEncoder();
  const { hub, engine } = setup(undefined, encoder, new RecordingSink());
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  for (let i = 0; i < 100; i++) pub.accessUnit(unit(i * 40, i % 25 === 0));
  await tick();
  assert.equal(encoder.calls.length, 0);
  assert.equal(engine.status().length, 0);
  const live = hub.get(key)!;
  assert.equal(live.subscriberCount, 0, 'the engine let go of the stream');
  assert.equal(engine.statusOf(live).width, 64);
  pub.close('done');
  await engine.close();
});

test('close() stops following streams and waits for captures in flight', async () => {
  const encoder = new ManualEncoder();
  const sink = new RecordingSink();
  const { hub, engine } = setup(rule, encoder, sink);
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  pub.accessUnit(unit(0, true));
  await tick();
  const closing = engine.close();
  encoder.calls[0]!.resolve();
  await closing;
  assert.equal(sink.stored.length, 1);
  pub.accessUnit(unit(10_000, true));
  await tick();
  assert.equal(encoder.calls.length, 1, 'nothing captured after close');
});
