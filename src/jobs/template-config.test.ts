import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from './snapshot-settings.js';
import {
  mergeTemplateConfig,
  parseTemplateConfig,
  TemplateConfigError,
} from './template-config.js';

describe('template configuration', () => {
  it('normalises names and numbers and drops unknown keys', () => {
    assert.deepEqual(
      parseTemplateConfig({
        Type: 'sprite',
        FrameType: 'NORMAL',
        Count: '5',
        Interval: 2.5,
        IsSptFrag: 'true',
        Unknown: 1,
        SpriteSnapshotConfig: '{"Columns":4,"Color":"#fff"}',
      }),
      {
        Type: 'Sprite',
        FrameType: 'normal',
        Count: 5,
        Interval: 2.5,
        IsSptFrag: true,
        SpriteSnapshotConfig: { Columns: 4, Color: '#fff' },
      },
    );
    assert.deepEqual(parseTemplateConfig({ Type: 'Cover' }), { Type: 'Normal' });
  });

  it('names the field that is wrong', () => {
    for (const [config, field] of [
      [{ Count: -1 }, 'Count'],
      [{ Time: 1.5 }, 'Time'],
      [{ FrameType: 'b' }, 'FrameType'],
      [{ SpriteSnapshotConfig: { Color: 'sky' } }, 'SpriteSnapshotConfig.Color'],
      [{ SpriteSnapshotConfig: { Columns: 0 } }, 'SpriteSnapshotConfig.Columns'],
      [[1], 'TemplateConfig'],
    ] as const) {
      assert.throws(
        () => parseTemplateConfig(config),
        (e: unknown) => e instanceof TemplateConfigError && e.field === field,
      );
    }
  });

  it('merges overrides field by field, sprite settings included', () => {
    const merged = mergeTemplateConfig(
      { Type: 'Sprite', Interval: 10, SpriteSnapshotConfig: { Columns: 10, Lines: 10 } },
      { Interval: 2, SpriteSnapshotConfig: { Lines: 1 } },
    );
    assert.deepEqual(merged, {
      Type: 'Sprite',
      Interval: 2,
      SpriteSnapshotConfig: { Columns: 10, Lines: 1 },
    });
  });

  it('resolves defaults and the black-frame rule', () => {
    const s = resolveSettings({ Count: 3, BlackLevel: 40 });
    assert.deepEqual([s.type, s.frameType, s.timeMs], ['Normal', 'intra', 0]);
    assert.deepEqual(s.black, { level: 40, pixelThreshold: 30, scope: 'First' });
    assert.equal(
      resolveSettings({ Count: 1, BlackLevel: 40 }).black,
      undefined,
      'single snapshots are not filtered',
    );
    assert.throws(() => resolveSettings({ Type: 'Normal' }), /Count/);
  });
});
