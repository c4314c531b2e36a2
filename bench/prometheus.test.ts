import assert from 'node:assert/strict';
import { test } from 'node:test';
import { histogramDelta, quantile, readCounter, readHistogram } from './prometheus.js';
import { percentEncode, signature } from './api-client.js';

const text = `# HELP x
# TYPE livesnap_snapshot_latency_seconds histogram
livesnap_snapshot_latency_seconds_bucket{le="0.01"} 10
livesnap_snapshot_latency_seconds_bucket{le="0.05"} 90
livesnap_snapshot_latency_seconds_bucket{le="0.1"} 100
livesnap_snapshot_latency_seconds_bucket{le="+Inf"} 100
livesnap_snapshot_latency_seconds_sum 3
livesnap_snapshot_latency_seconds_count 100
livesnap_snapshots_total{outcome="stored"} 100
livesnap_snapshots_total{outcome="skipped"} 2
`;

test('histogram quantiles interpolate inside buckets', () => {
  const h = readHistogram(text, 'livesnap_snapshot_latency_seconds')!;
  assert.equal(h.count, 100);
  assert.ok(Math.abs(quantile(h, 0.5)! - 0.03) < 1e-9);
  assert.ok(Math.abs(quantile(h, 0.99)! - 0.095) < 1e-9);
  const delta = histogramDelta(h, h);
  assert.equal(quantile(delta, 0.5), undefined);
  assert.equal(readHistogram(text, 'missing'), undefined);
});

test('counters by label', () => {
  assert.deepEqual(readCounter(text, 'livesnap_snapshots_total', 'outcome'), {
    stored: 100,
    skipped: 2,
  });
});

test('signature v1 matches the spec worked example A', () => {
  const params = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  assert.equal(signature('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  assert.equal(percentEncode("a b*!'()~"), 'a%20b%2A%21%27%28%29~');
});

test('signature v1 matches the spec worked example B (POST)', () => {
  const params = {
    Action: 'DescribeLiveStreamSnapshotInfo',
    Format: 'JSON',
    Version: '2016-11-01',
    AccessKeyId: 'testid',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: 'c4f1a2b3d4e5f60718293a4b5c6d7e8f',
    Timestamp: '2024-01-02T03:04:05Z',
    DomainName: 'example.com',
    AppName: 'liveApp',
    StreamName: 'liveStream',
    StartTime: '2024-01-01T00:00:00Z',
    EndTime: '2024-01-01T12:00:00Z',
    Limit: '10',
  };
  assert.equal(signature('POST', params, 'testsecret'), '11sdpGZtXznerKMcDLlLVZO+Gsw=');
  assert.equal(signature('GET', params, 'testsecret'), 'i5ZMp7OFsaJ0vdsdkuZNivoIXqk=');
});
