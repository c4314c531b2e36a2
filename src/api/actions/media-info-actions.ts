import type { MediaAssetRecord, SnapshotJobCatalog } from '../../catalog/snapshot-job-types.js';
import { MAX_MEDIA_LENGTH, parseMediaAddress } from '../../jobs/media-address.js';
import { baseName } from '../../jobs/output-naming.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { formatRpcTime } from '../rpc-time.js';
import { newIceId } from './ice-snapshot-params.js';

export interface MediaInfoDeps {
  catalog: Pick<SnapshotJobCatalog, 'insertMediaAsset' | 'getMediaAsset'>;
}

const TEXT_MAX = 1024;
const MEDIA_TYPES = ['video', 'audio', 'image', 'text', 'other'] as const;

function mediaInfo(m: MediaAssetRecord) {
  let fileName = m.inputUrl;
  const address = parseMediaAddress(m.inputUrl);
  if (address?.kind === 'oss') fileName = baseName(address.object);
  else if (address?.kind === 'url')
    fileName = baseName(new URL(address.url).pathname) || m.inputUrl;
  return {
    MediaId: m.mediaId,
    MediaBasicInfo: {
      MediaId: m.mediaId,
      InputURL: m.inputUrl,
      MediaType: m.mediaType ?? 'video',
      BusinessType: m.businessType ?? '',
      Title: m.title ?? '',
      Description: m.description ?? '',
      Status: 'Normal',
      UserData: m.userData ?? '',
      CreateTime: formatRpcTime(m.createdAt),
      ModifiedTime: formatRpcTime(m.modifiedAt),
    },
    FileInfoList: [
      { FileBasicInfo: { FileName: fileName, FileUrl: m.inputUrl, FileStatus: 'Normal' } },
    ],
  };
}

/**
 * A minimal media library (ICE RegisterMediaInfo / GetMediaInfo), enough for snapshot jobs
 * whose Input is `{"Type":"Media","Media":"<MediaId>"}`: a media id names an input URL
 * (`oss://bucket/object` or http(s)).
 */
export function registerMediaInfoActions(registry: ActionRegistry, deps: MediaInfoDeps) {
  const version = ApiVersion.Ice;

  registry.register({
    version,
    action: 'RegisterMediaInfo',
    handler: async (p, ctx) => {
      const inputUrl = p.string('InputURL', { maxLength: MAX_MEDIA_LENGTH });
      if (!parseMediaAddress(inputUrl)) {
        throw p.invalid('InputURL', 'expected oss://bucket/object or an http(s) URL');
      }
      const mediaType = p.optionalOneOf('MediaType', MEDIA_TYPES);
      const businessType = p.optionalString('BusinessType', { maxLength: 64 });
      const title = p.optionalString('Title', { maxLength: TEXT_MAX });
      const description = p.optionalString('Description', { maxLength: TEXT_MAX });
      const userData = p.optionalString('UserData', { maxLength: TEXT_MAX });
      const now = ctx.now();
      const media: MediaAssetRecord = {
        mediaId: newIceId(),
        inputUrl,
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(mediaType !== undefined ? { mediaType } : {}),
        ...(businessType !== undefined ? { businessType } : {}),
        ...(userData !== undefined ? { userData } : {}),
        createdAt: now,
        modifiedAt: now,
      };
      await deps.catalog.insertMediaAsset(media);
      return { MediaId: media.mediaId };
    },
  });

  registry.register({
    version,
    action: 'GetMediaInfo',
    handler: async (p) => {
      const mediaId = p.string('MediaId', { maxLength: 64 });
      const media = await deps.catalog.getMediaAsset(mediaId);
      if (!media) throw new ApiError('MediaNotFound');
      return { MediaInfo: mediaInfo(media) };
    },
  });
}
