import type {
  SnapshotJobCatalog,
  SnapshotTemplateRecord,
} from '../../catalog/snapshot-job-types.js';
import {
  SNAPSHOT_TEMPLATE_TYPE,
  SNAPSHOT_TEMPLATE_TYPE_NAME,
  SYSTEM_TEMPLATES,
  isSystemTemplate,
  subtypeName,
  subtypeOf,
  systemTemplateRecord,
} from '../../jobs/system-templates.js';
import { parseTemplateConfig, type TemplateConfig } from '../../jobs/template-config.js';
import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime } from '../rpc-time.js';
import {
  defaultTemplate,
  findTemplate,
  newIceId,
  readJsonObject,
  templateConfigInvalid,
  templateToApi,
} from './ice-snapshot-params.js';

export interface IceSnapshotTemplateDeps {
  catalog: Pick<
    SnapshotJobCatalog,
    | 'insertSnapshotTemplate'
    | 'getSnapshotTemplate'
    | 'listSnapshotTemplates'
    | 'updateSnapshotTemplate'
    | 'deleteSnapshotTemplate'
    | 'getDefaultSnapshotTemplate'
    | 'setDefaultSnapshotTemplate'
  >;
}

const NAME_MAX = 128;
const PAGE = { min: 1, max: 100, default: 20 };
const SUBTYPE = { min: 1, max: 3 };
/** Spellings of ListCustomTemplates.OrderBy (spec §3.5 quirk: accept all four). */
const DESC_ORDERS = ['CreateTimeDesc', 'CreationTime:Desc'];
const ASC_ORDERS = ['CreateTimeAsc', 'CreationTime:Asc'];

function notSnapshotType(name: string): ApiError {
  return new ApiError('InvalidParameter', {
    args: [name],
    message: `The specified parameter "${name}" is not valid: livesnap serves snapshot templates (Type ${SNAPSHOT_TEMPLATE_TYPE}) only.`,
  });
}

/** TemplateConfig of a create/update, checked, with its Type agreeing with `subtype`. */
function readConfig(p: ParamReader, subtype: number | undefined): TemplateConfig | undefined {
  const raw = readJsonObject(p, 'TemplateConfig', false);
  if (raw === undefined) return undefined;
  let config: TemplateConfig;
  try {
    config = parseTemplateConfig(raw);
  } catch (err) {
    throw templateConfigInvalid('TemplateConfig', err);
  }
  const fromSubtype = subtype !== undefined ? subtypeName(subtype) : undefined;
  if (config.Type && fromSubtype && config.Type !== fromSubtype) {
    throw p.invalid('TemplateConfig', `Type ${config.Type} does not match Subtype ${subtype}`);
  }
  return { ...config, Type: config.Type ?? fromSubtype ?? 'Normal' };
}

function readTemplateId(p: ParamReader): string {
  return p.string('TemplateId', { maxLength: 64 });
}

async function isDefault(
  deps: IceSnapshotTemplateDeps,
  t: SnapshotTemplateRecord,
): Promise<boolean> {
  return (await defaultTemplate(deps.catalog, t.subtype))?.templateId === t.templateId;
}

function readOrder(p: ParamReader): 'asc' | 'desc' {
  const raw = p.optionalString('OrderBy', { maxLength: 32 });
  if (raw === undefined || DESC_ORDERS.includes(raw)) return 'desc';
  if (ASC_ORDERS.includes(raw)) return 'asc';
  throw p.invalid('OrderBy', `must be one of ${[...DESC_ORDERS, ...ASC_ORDERS].join(', ')}`);
}

/**
 * Snapshot template management (spec §3.5): Create/Get/Update/Delete/ListCustomTemplates and
 * SetDefaultCustomTemplate for Type 2. System templates (src/jobs/system-templates.ts) are
 * listed and readable but cannot be changed or deleted.
 */
export function registerIceSnapshotTemplateActions(
  registry: ActionRegistry,
  deps: IceSnapshotTemplateDeps,
) {
  const version = ApiVersion.Ice;
  const { catalog } = deps;

  registry.register({
    version,
    action: 'CreateCustomTemplate',
    handler: async (p, ctx) => {
      const name = p.string('Name', { maxLength: NAME_MAX });
      const type = p.integer('Type', { min: 1, max: 100 });
      if (type !== SNAPSHOT_TEMPLATE_TYPE) throw notSnapshotType('Type');
      const subtypeParam = p.optionalInteger('Subtype', SUBTYPE);
      const config = readConfig(p, subtypeParam);
      if (!config) throw p.missing('TemplateConfig');
      const now = ctx.now();
      const template: SnapshotTemplateRecord = {
        templateId: newIceId(),
        name,
        subtype: subtypeOf(config.Type!),
        config: JSON.stringify(config),
        createdAt: now,
        modifiedAt: now,
      };
      await catalog.insertSnapshotTemplate(template);
      ctx.log.info({ templateId: template.templateId }, 'snapshot template created');
      return {
        CustomTemplate: {
          TemplateId: template.templateId,
          TemplateName: name,
          Type: SNAPSHOT_TEMPLATE_TYPE,
          TypeName: SNAPSHOT_TEMPLATE_TYPE_NAME,
          // The Create response names the subtype (spec §3.5 quirk).
          Subtype: config.Type,
          IsDefault: false,
          Status: 'Normal',
          TemplateConfig: template.config,
          CreateTime: formatRpcTime(now),
          ModifiedTime: formatRpcTime(now),
        },
      };
    },
  });

  registry.register({
    version,
    action: 'GetCustomTemplate',
    handler: async (p) => {
      const templateId = p.optionalString('TemplateId', { maxLength: 64 });
      let template: SnapshotTemplateRecord | undefined;
      if (templateId !== undefined) {
        template = await findTemplate(catalog, templateId);
      } else {
        const type = p.integer('Type', { min: 1, max: 100 });
        if (type !== SNAPSHOT_TEMPLATE_TYPE) throw new ApiError('TemplateNotFound');
        const subtype = p.optionalInteger('Subtype', SUBTYPE) ?? 1;
        template = await defaultTemplate(catalog, subtype);
      }
      if (!template) throw new ApiError('TemplateNotFound');
      return { CustomTemplate: templateToApi(template, await isDefault(deps, template)) };
    },
  });

  registry.register({
    version,
    action: 'UpdateCustomTemplate',
    handler: async (p, ctx) => {
      const templateId = readTemplateId(p);
      const name = p.optionalString('Name', { maxLength: NAME_MAX });
      if (isSystemTemplate(templateId)) {
        throw new ApiError('Forbidden', { message: 'System templates cannot be changed.' });
      }
      const current = await catalog.getSnapshotTemplate(templateId);
      if (!current) throw new ApiError('TemplateNotFound');
      const config = readConfig(p, current.subtype);
      const updated = await catalog.updateSnapshotTemplate(
        templateId,
        (cur) => ({
          name: name ?? cur.name,
          config: config ? JSON.stringify(config) : cur.config,
        }),
        ctx.now(),
      );
      if (!updated) throw new ApiError('TemplateNotFound');
      return { Success: true };
    },
  });

  registry.register({
    version,
    action: 'DeleteCustomTemplate',
    handler: async (p, ctx) => {
      const templateId = readTemplateId(p);
      if (isSystemTemplate(templateId)) {
        throw new ApiError('Forbidden', { message: 'System templates cannot be deleted.' });
      }
      if (!(await catalog.deleteSnapshotTemplate(templateId))) {
        throw new ApiError('TemplateNotFound');
      }
      ctx.log.info({ templateId }, 'snapshot template deleted');
      return { Success: true };
    },
  });

  registry.register({
    version,
    action: 'SetDefaultCustomTemplate',
    handler: async (p) => {
      const templateId = readTemplateId(p);
      const template = await findTemplate(catalog, templateId);
      if (!template) throw new ApiError('TemplateNotFound');
      await catalog.setDefaultSnapshotTemplate(template.subtype, templateId);
      return { Success: true };
    },
  });

  registry.register({
    version,
    action: 'ListCustomTemplates',
    handler: async (p) => {
      const type = p.string('Type', { maxLength: 8 });
      const subtypeRaw = p.optionalString('Subtype', { maxLength: 16 });
      const templateId = p.optionalString('TemplateId', { maxLength: 64 });
      const name = p.optionalString('Name', { maxLength: NAME_MAX });
      const order = readOrder(p);
      const pageNumber = p.optionalInteger('PageNumber', { min: 1, max: 1_000_000 }) ?? 1;
      const pageSize = p.optionalInteger('PageSize', PAGE) ?? PAGE.default;
      if (!/^\d+$/.test(type)) throw p.invalid('Type', 'not an integer');
      if (Number(type) !== SNAPSHOT_TEMPLATE_TYPE) return { Total: 0, CustomTemplateList: [] };
      // Subtype by number or by name.
      let subtype: number | undefined;
      if (subtypeRaw !== undefined) {
        subtype = /^\d+$/.test(subtypeRaw)
          ? Number(subtypeRaw)
          : SYSTEM_TEMPLATES.find((t) => subtypeName(t.subtype) === subtypeRaw)?.subtype;
        if (subtype === undefined || subtype < SUBTYPE.min || subtype > SUBTYPE.max) {
          throw p.invalid('Subtype', 'must be 1 (Normal), 2 (Sprite) or 3 (WebVtt)');
        }
      }
      const system = SYSTEM_TEMPLATES.map(systemTemplateRecord).filter(
        (t) =>
          (subtype === undefined || t.subtype === subtype) &&
          (templateId === undefined || t.templateId === templateId) &&
          (name === undefined || t.name.includes(name)),
      );
      // System templates are the oldest: first in ascending order, last in descending.
      const offset = (pageNumber - 1) * pageSize;
      const custom = await catalog.listSnapshotTemplates({
        ...(subtype !== undefined ? { subtype } : {}),
        ...(templateId !== undefined ? { templateId } : {}),
        ...(name !== undefined ? { name } : {}),
        order,
        offset: order === 'asc' ? Math.max(0, offset - system.length) : offset,
        limit: pageSize,
      });
      let page: SnapshotTemplateRecord[];
      if (order === 'asc') {
        const sys = system.slice(offset, offset + pageSize);
        page = [...sys, ...custom.items].slice(0, pageSize);
      } else {
        const sysStart = Math.max(0, offset - custom.total);
        const room = pageSize - custom.items.length;
        page = [...custom.items, ...(room > 0 ? system.slice(sysStart, sysStart + room) : [])];
      }
      const items = [];
      for (const t of page) items.push(templateToApi(t, await isDefault(deps, t)));
      return { Total: custom.total + system.length, CustomTemplateList: items };
    },
  });
}
