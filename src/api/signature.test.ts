import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalizedQueryString,
  percentEncode,
  signaturesEqual,
  signParams,
  stringToSign,
} from './signature.js';

const vectorA: Array<[string, string]> = [
  ['AccessKeyId', 'testid'],
  ['Action', 'DescribeRegions'],
  ['Format', 'XML'],
  ['SignatureMethod', 'HMAC-SHA1'],
  ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
  ['SignatureVersion', '1.0'],
  ['Timestamp', '2016-02-23T12:46:24Z'],
  ['Version', '2014-05-26'],
];

const vectorB: Array<[string, string]> = [
  ['Action', 'DescribeLiveStreamSnapshotInfo'],
  ['Format', 'JSON'],
  ['Version', '2016-11-01'],
  ['AccessKeyId', 'testid'],
  ['SignatureMethod', 'HMAC-SHA1'],
  ['SignatureVersion', '1.0'],
  ['SignatureNonce', 'c4f1a2b3d4e5f60718293a4b5c6d7e8f'],
  ['Timestamp', '2024-01-02T03:04:05Z'],
  ['DomainName', 'example.com'],
  ['AppName', 'liveApp'],
  ['StreamName', 'liveStream'],
  ['StartTime', '2024-01-01T00:00:00Z'],
  ['EndTime', '2024-01-01T12:00:00Z'],
  ['Limit', '10'],
];

describe('signature v1 (spec §1.4)', () => {
  it('reproduces worked example A (GET)', () => {
    assert.equal(
      canonicalizedQueryString(vectorA),
      'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
    );
    assert.equal(
      stringToSign('GET', vectorA),
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    assert.equal(signParams('GET', vectorA, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces worked example B (GET and POST), independent of input order', () => {
    assert.equal(signParams('GET', vectorB, 'testsecret'), 'i5ZMp7OFsaJ0vdsdkuZNivoIXqk=');
    assert.equal(signParams('POST', vectorB, 'testsecret'), '11sdpGZtXznerKMcDLlLVZO+Gsw=');
    const reversed = [...vectorB].reverse();
    assert.equal(signParams('POST', reversed, 'testsecret'), '11sdpGZtXznerKMcDLlLVZO+Gsw=');
  });

  it('excludes Signature itself from the signed string', () => {
    const withSig: Array<[string, string]> = [...vectorA, ['Signature', 'whatever']];
    assert.equal(signParams('GET', withSig, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('percent-encodes per the spec rules', () => {
    assert.equal(percentEncode('a b'), 'a%20b');
    assert.equal(percentEncode('*'), '%2A');
    assert.equal(percentEncode('~-_.'), '~-_.');
    assert.equal(percentEncode("!'()"), '%21%27%28%29');
    assert.equal(percentEncode('+/='), '%2B%2F%3D');
    assert.equal(percentEncode('é'), '%C3%A9');
    assert.equal(percentEncode('\uD800'), '%EF%BF%BD');
  });

  it('sorts names by code unit (dot before digits and letters)', () => {
    const q = canonicalizedQueryString([
      ['DomainName', 'd'],
      ['CreateTimestampList.2', '2'],
      ['CreateTimestampList.1', '1'],
    ]);
    assert.equal(q, 'CreateTimestampList.1=1&CreateTimestampList.2=2&DomainName=d');
  });

  it('compares signatures exactly', () => {
    assert.equal(signaturesEqual('abc=', 'abc='), true);
    assert.equal(signaturesEqual('abc=', 'abd='), false);
    assert.equal(signaturesEqual('abc=', 'abc'), false);
  });
});
