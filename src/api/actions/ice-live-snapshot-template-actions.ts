import { randomUUID } from 'node:crypto';
import type { Catalog, LiveSnapshotTemplate } from '../../catalog/catalog-types.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { formatRpcTime } from '../rpc-time.js';
import {
  ID_MAX,
  KEYWORD_MAX,
  readId,
  readPage,
  readSortBy,
  readTemplateFields,
} from './ice-live-snapshot-params.js';

export type LiveTemplateCatalog = Pick<
  Catalog,
  | 'insertLiveTemplate'
  | 'updateLiveTemplate'
  | 'getLiveTemplate'
  | 'listLiveTemplates'
  | 'deleteLiveTemplate'
>;

export interface LiveTemplateActionDeps {
  catalog: LiveTemplateCatalog;
  /** New template ids (default: random UUIDs). */
  newId?: () => string;
}

const MAX_TEMPLATE_IDS = 200;
const TYPES = ['system', 'custom'] as const;

function formats(t: LiveSnapshotTemplate) {
  return {
    ...(t.overwriteFormat !== undefined && { OverwriteFormat: t.overwriteFormat }),
    ...(t.sequenceFormat !== undefined && { SequenceFormat: t.sequenceFormat }),
  };
}

/** A template as GetLiveSnapshotTemplate answers it (spec §4.3). */
export function templateToApi(t: LiveSnapshotTemplate): Record<string, unknown> {
  return {
    TemplateId: t.templateId,
    TemplateName: t.templateName,
    Type: t.type,
    TimeInterval: t.timeInterval,
    ...formats(t),
    CreateTime: formatRpcTime(t.createdAt),
    LastModified: formatRpcTime(t.updatedAt),
  };
}

/** Create/Update/Get/List/DeleteLiveSnapshotTemplate (spec §4.1–4.5). */
export function registerLiveTemplateActions(
  registry: ActionRegistry,
  deps: LiveTemplateActionDeps,
): void {
  const { catalog } = deps;
  const version = ApiVersion.Ice;
  const newId = deps.newId ?? randomUUID;

  async function existing(templateId: string): Promise<LiveSnapshotTemplate> {
    const template = await catalog.getLiveTemplate(templateId);
    if (!template) throw new ApiError('TemplateNotFound');
    return template;
  }

  registry.register({
    version,
    action: 'CreateLiveSnapshotTemplate',
    handler: async (p, ctx) => {
      const fields = readTemplateFields(p);
      const now = ctx.now();
      const templateId = newId();
      await catalog.insertLiveTemplate({
        templateId,
        type: 'custom',
        ...fields,
        createdAt: now,
        updatedAt: now,
      });
      ctx.log.info({ templateId }, 'live snapshot template created');
      return { TemplateId: templateId };
    },
  });

  registry.register({
    version,
    action: 'UpdateLiveSnapshotTemplate',
    handler: async (p, ctx) => {
      const templateId = readId(p, 'TemplateId');
      const fields = readTemplateFields(p);
      const current = await existing(templateId);
      if (current.type === 'system') {
        throw new ApiError('Forbidden', { message: 'System templates cannot be changed.' });
      }
      if (!(await catalog.updateLiveTemplate(templateId, fields, ctx.now()))) {
        throw new ApiError('TemplateNotFound');
      }
      ctx.log.info({ templateId }, 'live snapshot template updated');
      return {};
    },
  });

  registry.register({
    version,
    action: 'GetLiveSnapshotTemplate',
    handler: async (p) => templateToApi(await existing(readId(p, 'TemplateId'))),
  });

  registry.register({
    version,
    action: 'ListLiveSnapshotTemplates',
    handler: async (p) => {
      const { pageNo, pageSize, offset } = readPage(p);
      const order = readSortBy(p, 'desc');
      const keyword = p.optionalString('SearchKeyWord', { maxLength: KEYWORD_MAX });
      const templateIds = p.optionalList('TemplateIds', {
        maxItems: MAX_TEMPLATE_IDS,
        itemMaxLength: ID_MAX,
      });
      const type = p.optionalOneOf('Type', TYPES);
      const { total, items } = await catalog.listLiveTemplates({
        order,
        offset,
        limit: pageSize,
        ...(keyword !== undefined && { keyword }),
        ...(keyword === undefined && templateIds !== undefined && { templateIds }),
        ...(type !== undefined && { type }),
      });
      return {
        PageNo: pageNo,
        PageSize: pageSize,
        SortBy: order,
        TotalCount: total,
        TemplateList: items.map((t) => ({
          TemplateId: t.templateId,
          TemplateName: t.templateName,
          Type: t.type,
          TimeInterval: t.timeInterval,
          ...formats(t),
          CreateTime: formatRpcTime(t.createdAt),
        })),
      };
    },
  });

  registry.register({
    version,
    action: 'DeleteLiveSnapshotTemplate',
    handler: async (p, ctx) => {
      const templateId = readId(p, 'TemplateId');
      const current = await existing(templateId);
      if (current.type === 'system') {
        throw new ApiError('Forbidden', { message: 'System templates cannot be deleted.' });
      }
      // Jobs copied the template's settings when they were submitted: they keep running.
      if (!(await catalog.deleteLiveTemplate(templateId))) throw new ApiError('TemplateNotFound');
      ctx.log.info({ templateId }, 'live snapshot template deleted');
      return {};
    },
  });
}
