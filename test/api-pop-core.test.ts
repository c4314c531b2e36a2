import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import { startTestApi, type TestApi } from './support/api-client.js';

/**
 * Every Live snapshot configuration action through the real `@alicloud/pop-core` client,
 * with GET (its default) and POST, against a listening server: exact response shapes.
 */

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const RPC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// pop-core resolves with the parsed JSON of arbitrary shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface PopError extends Error {
  code: string;
  data: Json;
}

/** Asserts `{RequestId}` and nothing else. */
function assertEmptySuccess(res: Json): void {
  assert.deepEqual(Object.keys(res), ['RequestId']);
  assert.match(res.RequestId, REQUEST_ID);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<PopError> {
  let caught: PopError | undefined;
  await assert.rejects(p, (err: PopError) => {
    caught = err;
    return err.code === code && err.name === `${code}Error`;
  });
  assert.equal(caught!.data.Code, code);
  assert.match(caught!.data.RequestId, REQUEST_ID);
  assert.equal(typeof caught!.data.Message, 'string');
  assert.equal(typeof caught!.data.HostId, 'string');
  return caught!;
}

let api: TestApi;

before(async () => {
  api = await startTestApi({ qpsOverrides: {} });
});
after(async () => {
  await api.close();
});

for (const method of ['GET', 'POST'] as const) {
  describe(`pop-core RPCClient, method ${method}`, () => {
    const domain = `${method.toLowerCase()}.example.com`;
    let client: RPCClient;
    const call = (action: string, params: Record<string, unknown>): Promise<Json> =>
      client.request(action, params, method === 'POST' ? { method: 'POST' } : {});

    before(() => {
      client = new RPCClient({
        endpoint: api.baseUrl,
        apiVersion: '2016-11-01',
        accessKeyId: api.creds.accessKeyId,
        accessKeySecret: api.creds.accessKeySecret,
      });
    });

    it('adds, describes, updates and deletes snapshot rules', async () => {
      assertEmptySuccess(
        await call('AddLiveAppSnapshotConfig', {
          DomainName: domain,
          AppName: 'liveApp',
          TimeInterval: 10,
          OssEndpoint: 'local',
          OssBucket: 'live-bucket',
          OverwriteOssObject: '{AppName}/{StreamName}.jpg',
          SequenceOssObject: 'snapshot/{AppName}/{StreamName}/{UnixTimestamp}.jpg',
          Callback: 'https://callback.example.com/snap',
        }),
      );
      // pop-core upper-cases the first letter of each parameter name.
      assertEmptySuccess(
        await call('addLiveAppSnapshotConfig', {
          domainName: domain,
          appName: '*',
          timeInterval: 3600,
          ossEndpoint: 'local',
          ossBucket: 'all-apps',
          sequenceOssObject: 'all/{AppName}/{StreamName}/{Sequence}.jpg',
        }),
      );

      const listed = await call('DescribeLiveSnapshotConfig', { DomainName: domain });
      assert.match(listed.RequestId, REQUEST_ID);
      const items = listed.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig;
      for (const item of items) assert.match(item.CreateTime, RPC_TIME);
      assert.deepEqual(
        { ...listed, RequestId: 'x', LiveStreamSnapshotConfigList: undefined },
        {
          RequestId: 'x',
          PageNum: 1,
          PageSize: 10,
          Order: 'asc',
          TotalNum: 2,
          TotalPage: 1,
          LiveStreamSnapshotConfigList: undefined,
        },
      );
      assert.deepEqual(Object.keys(listed.LiveStreamSnapshotConfigList), [
        'LiveStreamSnapshotConfig',
      ]);
      assert.deepEqual(
        items.map((i: Json) => ({ ...i, CreateTime: 't' })),
        [
          {
            DomainName: domain,
            AppName: 'liveApp',
            TimeInterval: 10,
            OssEndpoint: 'local',
            OssBucket: 'live-bucket',
            OverwriteOssObject: '{AppName}/{StreamName}.jpg',
            SequenceOssObject: 'snapshot/{AppName}/{StreamName}/{UnixTimestamp}.jpg',
            Callback: 'https://callback.example.com/snap',
            CreateTime: 't',
          },
          {
            DomainName: domain,
            AppName: '*',
            TimeInterval: 3600,
            OssEndpoint: 'local',
            OssBucket: 'all-apps',
            SequenceOssObject: 'all/{AppName}/{StreamName}/{Sequence}.jpg',
            CreateTime: 't',
          },
        ],
      );

      const desc = await call('DescribeLiveSnapshotConfig', {
        DomainName: domain,
        PageNum: 1,
        PageSize: 5,
        Order: 'desc',
      });
      assert.equal(desc.Order, 'desc');
      assert.equal(desc.PageSize, 5);
      assert.deepEqual(
        desc.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig.map((i: Json) => i.AppName),
        ['*', 'liveApp'],
      );

      assertEmptySuccess(
        await call('UpdateLiveAppSnapshotConfig', {
          DomainName: domain,
          AppName: 'liveApp',
          TimeInterval: 20,
          OverwriteOssObject: '-',
          Callback: '-',
        }),
      );
      const one = await call('DescribeLiveSnapshotConfig', {
        DomainName: domain,
        AppName: 'liveApp',
      });
      assert.equal(one.TotalNum, 1);
      const rule = one.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig[0];
      assert.equal(rule.TimeInterval, 20);
      assert.equal('OverwriteOssObject' in rule, false);
      assert.equal('Callback' in rule, false);
      assert.equal(rule.SequenceOssObject, 'snapshot/{AppName}/{StreamName}/{UnixTimestamp}.jpg');

      await rejectsWith(
        call('AddLiveAppSnapshotConfig', {
          DomainName: domain,
          AppName: 'liveApp',
          TimeInterval: 10,
          OssEndpoint: 'local',
          OssBucket: 'live-bucket',
          OverwriteOssObject: 'x.jpg',
        }),
        'ConfigAlreadyExists',
      );

      assertEmptySuccess(
        await call('DeleteLiveAppSnapshotConfig', { DomainName: domain, AppName: 'liveApp' }),
      );
      await rejectsWith(
        call('DeleteLiveAppSnapshotConfig', { DomainName: domain, AppName: 'liveApp' }),
        'InvalidConfig.NotFound',
      );
      await rejectsWith(
        call('UpdateLiveAppSnapshotConfig', { DomainName: domain, AppName: 'liveApp' }),
        'InvalidConfig.NotFound',
      );
      const rest = await call('DescribeLiveSnapshotConfig', {
        DomainName: domain,
        AppName: 'liveApp',
      });
      assert.equal(rest.TotalNum, 0);
      assert.equal(rest.TotalPage, 0);
      // json-bigint builds null-prototype objects; compare plain copies.
      assert.deepEqual({ ...rest.LiveStreamSnapshotConfigList }, { LiveStreamSnapshotConfig: [] });
    });

    it('manages the notify config and the shared callback auth', async () => {
      const notifyDomain = `notify.${domain}`;
      await rejectsWith(
        call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain }),
        'InvalidConfig.NotFound',
      );
      assertEmptySuccess(
        await call('AddLiveSnapshotNotifyConfig', {
          DomainName: notifyDomain,
          NotifyUrl: 'http://callback.example.com/notify',
          NotifyReqAuth: 'yes',
          NotifyAuthKey: 'abcdefgh12345678',
        }),
      );
      const d1 = await call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain });
      assert.match(d1.RequestId, REQUEST_ID);
      assert.deepEqual(
        { ...d1, RequestId: 'x' },
        {
          RequestId: 'x',
          DomainName: notifyDomain,
          NotifyUrl: 'http://callback.example.com/notify',
          NotifyReqAuth: 'yes',
          NotifyAuthKey: 'abcdefgh12345678',
        },
      );
      const q1 = await call('QuerySnapshotCallbackAuth', { DomainName: notifyDomain });
      assert.deepEqual(
        { ...q1, RequestId: 'x' },
        {
          RequestId: 'x',
          DomainName: notifyDomain,
          CallbackReqAuth: 'yes',
          CallbackAuthKey: 'abcdefgh12345678',
        },
      );
      await rejectsWith(
        call('AddLiveSnapshotNotifyConfig', {
          DomainName: notifyDomain,
          NotifyUrl: 'http://other.example.com/',
        }),
        'ConfigAlreadyExists',
      );

      assertEmptySuccess(
        await call('UpdateLiveSnapshotNotifyConfig', {
          DomainName: notifyDomain,
          NotifyUrl: 'https://callback.example.com/v2',
          NotifyReqAuth: 'no',
        }),
      );
      const d2 = await call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain });
      assert.equal(d2.NotifyUrl, 'https://callback.example.com/v2');
      assert.equal(d2.NotifyReqAuth, 'no');

      assertEmptySuccess(
        await call('SetSnapshotCallbackAuth', {
          DomainName: notifyDomain,
          CallbackReqAuth: 'yes',
          CallbackAuthKey: 'ZYXWVUTSRQPONMLK0987',
        }),
      );
      const d3 = await call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain });
      assert.equal(d3.NotifyReqAuth, 'yes');
      assert.equal(d3.NotifyAuthKey, 'ZYXWVUTSRQPONMLK0987');

      assertEmptySuccess(await call('DeleteSnapshotCallbackAuth', { DomainName: notifyDomain }));
      const q2 = await call('QuerySnapshotCallbackAuth', { DomainName: notifyDomain });
      assert.equal(q2.CallbackReqAuth, 'no');
      assert.equal(q2.CallbackAuthKey, '');
      const d4 = await call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain });
      assert.equal(d4.NotifyUrl, 'https://callback.example.com/v2');
      assert.equal(d4.NotifyReqAuth, 'no');

      assertEmptySuccess(
        await call('DeleteLiveSnapshotNotifyConfig', { DomainName: notifyDomain }),
      );
      await rejectsWith(
        call('DescribeLiveSnapshotNotifyConfig', { DomainName: notifyDomain }),
        'InvalidConfig.NotFound',
      );
      await rejectsWith(
        call('UpdateLiveSnapshotNotifyConfig', {
          DomainName: notifyDomain,
          NotifyUrl: 'http://x.example.com/',
        }),
        'InvalidConfig.NotFound',
      );
      await rejectsWith(
        call('DeleteLiveSnapshotNotifyConfig', { DomainName: notifyDomain }),
        'InvalidConfig.NotFound',
      );
      const q3 = await call('QuerySnapshotCallbackAuth', { DomainName: notifyDomain });
      assert.deepEqual(Object.keys(q3), [
        'RequestId',
        'DomainName',
        'CallbackReqAuth',
        'CallbackAuthKey',
      ]);
    });

    it('surfaces protocol errors as pop-core errors', async () => {
      await rejectsWith(call('NoSuchAction', {}), 'InvalidAction.NotFound');
      const wrong = new RPCClient({
        endpoint: api.baseUrl,
        apiVersion: '2016-11-01',
        accessKeyId: api.creds.accessKeyId,
        accessKeySecret: 'wrong-secret',
      });
      await rejectsWith(
        wrong.request(
          'DescribeLiveSnapshotConfig',
          { DomainName: domain },
          method === 'POST' ? { method: 'POST' } : {},
        ),
        'SignatureDoesNotMatch',
      );
      const badVersion = new RPCClient({
        endpoint: api.baseUrl,
        apiVersion: '2099-01-01',
        accessKeyId: api.creds.accessKeyId,
        accessKeySecret: api.creds.accessKeySecret,
      });
      await rejectsWith(
        badVersion.request(
          'DescribeLiveSnapshotConfig',
          { DomainName: domain },
          method === 'POST' ? { method: 'POST' } : {},
        ),
        'InvalidVersion',
      );
      await rejectsWith(
        call('AddLiveAppSnapshotConfig', { DomainName: domain, AppName: 'x' }),
        'MissingParameter',
      );
    });
  });
}
