/**
 * The benchmark's report: ratios and target checks computed from the results, rendered as
 * Markdown (stdout, docs) next to the JSON file that keeps every figure. Pure.
 */
import type { StepResult, SweepOutcome } from './live.js';
import type { OfflineResult } from './offline.js';

export interface Ratio {
  readonly baseline: string;
  readonly streams: number;
  /** baseline CPU-seconds ÷ livesnap CPU-seconds (per stream per minute). */
  readonly cpu: number;
  /** baseline memory per stream ÷ livesnap's (PSS when known, else RSS). */
  readonly memory: number | undefined;
  /**
   * Both kept up at this stream count. When one did not (it missed snapshots or saturated
   * the machine), it did less work than asked: the ratio is shown, not held against a target.
   */
  readonly comparable: boolean;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly status: 'met' | 'missed' | 'not measured';
}

export interface ReportInput {
  readonly title: string;
  readonly machine: string;
  readonly versions: string;
  readonly parameters: string;
  readonly recipes: Record<string, string>;
  readonly live: SweepOutcome | undefined;
  /** false: the live run was ingest only (`--no-capture`). */
  readonly capture?: boolean;
  readonly offline: OfflineResult[] | undefined;
  readonly offlineParameters: string;
}

const measured = (steps: readonly StepResult[], system: string): StepResult[] =>
  steps.filter((s) => s.system === system && s.status === 'measured');

/** Memory per stream used for comparisons: PSS (shared libraries counted once). */
function memoryPerStream(step: StepResult): number | undefined {
  return step.server?.pssPerStreamMB ?? step.server?.rssPerStreamMB;
}

export function ratios(steps: readonly StepResult[]): Ratio[] {
  const out: Ratio[] = [];
  const ours = measured(steps, 'livesnap');
  for (const baseline of ['nginx-keyframe', 'nginx-full']) {
    for (const theirs of measured(steps, baseline)) {
      const mine = ours.find((s) => s.streams === theirs.streams);
      if (!mine?.server || !theirs.server) continue;
      const mineMem = memoryPerStream(mine);
      const theirMem = memoryPerStream(theirs);
      out.push({
        baseline,
        streams: theirs.streams,
        cpu: round(
          theirs.server.cpuSecondsPerStreamPerMin / mine.server.cpuSecondsPerStreamPerMin,
          1,
        ),
        memory: mineMem && theirMem && mineMem > 0 ? round(theirMem / mineMem, 1) : undefined,
        comparable: mine.keptUp === true && theirs.keptUp === true,
      });
    }
  }
  return out;
}

function checkRatio(
  list: readonly Ratio[],
  baseline: string,
  factor: number,
  name: string,
): TargetCheck {
  const relevant = list.filter((r) => r.baseline === baseline && r.comparable);
  if (relevant.length === 0) {
    const any = list.some((r) => r.baseline === baseline);
    return {
      target: name,
      measured: any ? 'n/a: no step where both kept up' : 'n/a',
      status: 'not measured',
    };
  }
  const worst = Math.min(...relevant.map((r) => r.cpu));
  return {
    target: name,
    measured: relevant.map((r) => `${r.cpu}× at ${r.streams}`).join(', '),
    status: worst >= factor ? 'met' : 'missed',
  };
}

/** The live targets are about capture: an ingest-only run measures none of them. */
const TARGET = {
  cpu: 'CPU ≤ 0.5 % of one core per stream',
  keyframe: '≥ 3× fewer CPU-seconds than ffmpeg -skip_frame nokey',
  full: '≥ 20× fewer CPU-seconds than full-decode ffmpeg',
  memory: '≤ 2 MB RSS growth per stream at 200 streams',
  latency: 'latency p99 ≤ 100 ms at 200 streams',
} as const;
const LIVE_TARGETS = Object.values(TARGET);

export function targetChecks(
  live: SweepOutcome | undefined,
  offline: readonly OfflineResult[] | undefined,
  capture = true,
): TargetCheck[] {
  if (!capture) {
    return [
      ...LIVE_TARGETS.map((target): TargetCheck => ({
        target,
        measured: 'n/a: ingest only (--no-capture)',
        status: 'not measured',
      })),
      ...offlineChecks(offline),
    ];
  }
  const steps = live?.steps ?? [];
  const ours = measured(steps, 'livesnap');
  const list = ratios(steps);
  const at200 = ours.find((s) => s.streams === 200);
  const checks: TargetCheck[] = [];
  if (ours.length === 0) {
    checks.push({
      target: TARGET.cpu,
      measured: 'n/a',
      status: 'not measured',
    });
  } else {
    const worst = Math.max(...ours.map((s) => s.server!.corePercentPerStream));
    checks.push({
      target: TARGET.cpu,
      measured: ours.map((s) => `${s.server!.corePercentPerStream} % at ${s.streams}`).join(', '),
      status: worst <= 0.5 ? 'met' : 'missed',
    });
  }
  checks.push(checkRatio(list, 'nginx-keyframe', 3, TARGET.keyframe));
  checks.push(checkRatio(list, 'nginx-full', 20, TARGET.full));
  checks.push(
    at200?.server
      ? {
          target: TARGET.memory,
          measured: `${at200.server.rssPerStreamMB} MB`,
          status: at200.server.rssPerStreamMB <= 2 ? 'met' : 'missed',
        }
      : {
          target: TARGET.memory,
          measured: 'n/a',
          status: 'not measured',
        },
  );
  const p99 = at200?.latency?.p99Ms;
  checks.push(
    p99 !== undefined
      ? {
          target: TARGET.latency,
          measured: `${p99} ms`,
          status: p99 <= 100 ? 'met' : 'missed',
        }
      : { target: TARGET.latency, measured: 'n/a', status: 'not measured' },
  );
  checks.push(...offlineChecks(offline));
  return checks;
}

function offlineChecks(offline: readonly OfflineResult[] | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const off = (id: string): OfflineResult | undefined =>
    offline?.find((r) => r.system === id && r.status === 'measured');
  const mine = off('livesnap');
  for (const [id, factor] of [
    ['ffmpeg-full', 50],
    ['ffmpeg-keyframe', 3],
  ] as const) {
    const theirs = off(id);
    const target = `offline ≥ ${factor}× faster than ${id}`;
    if (!mine?.wallS || !theirs?.wallS) {
      checks.push({ target, measured: 'n/a', status: 'not measured' });
    } else {
      const r = round(theirs.wallS / mine.wallS, 1);
      checks.push({ target, measured: `${r}×`, status: r >= factor ? 'met' : 'missed' });
    }
  }
  return checks;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const dash = '—';
const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? dash : n.toFixed(digits);
const pct = (n: number | undefined): string =>
  n === undefined ? dash : `${(n * 100).toFixed(0)} %`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function liveRow(s: StepResult): string[] {
  if (s.status !== 'measured') {
    return [
      s.system,
      String(s.streams),
      s.status === 'unavailable' ? 'not available yet' : 'failed',
      dash,
      dash,
      dash,
      dash,
      dash,
      dash,
      dash,
      s.reason ?? '',
    ];
  }
  const server = s.server!;
  const snaps = s.snapshots!;
  const decode = s.latency?.decode;
  const latency = s.latency
    ? `${fmt(s.latency.p50Ms, 0)} / ${fmt(s.latency.p99Ms, 0)}` +
      (decode ? ` (decode ${fmt(decode.p50Ms, 0)} / ${fmt(decode.p99Ms, 0)})` : '')
    : 'n/a';
  return [
    s.system,
    String(s.streams),
    fmt(server.cpuSecondsPerStreamPerMin, 3),
    fmt(server.corePercentPerStream, 2),
    `${fmt(server.rssPerStreamMB, 1)} / ${fmt(server.pssPerStreamMB, 1)}`,
    snaps.expected > 0 ? `${snaps.produced} / ${fmt(snaps.expected, 0)}` : dash,
    latency,
    fmt(s.generator?.cpuSecondsPerStreamPerMin, 4),
    pct(server.utilization),
    `${pct(s.machine?.busy)} (${pct(s.machine?.otherLoad)})`,
    s.keptUp ? 'yes' : `no: ${s.stopReason}`,
  ];
}

export function renderMarkdown(input: ReportInput): string {
  const out: string[] = [`## ${input.title}`, ''];
  out.push(
    `- Machine: ${input.machine}`,
    `- Versions: ${input.versions}`,
    `- Live: ${input.parameters}`,
  );
  out.push(`- Offline: ${input.offlineParameters}`, '');
  out.push('Recipes:', '');
  for (const [id, recipe] of Object.entries(input.recipes)) out.push(`- **${id}**: ${recipe}`);
  out.push('');
  if (input.live) {
    out.push('### Live', '');
    out.push(
      table(
        [
          'System',
          'Streams',
          'Server CPU-s / stream / min',
          '% of a core / stream',
          'RSS / PSS MB per stream',
          'Snapshots (window) got / expected',
          'Latency p50 / p99 ms (of which decode, queue included)',
          'Generator CPU-s / stream / min',
          'Server CPU (all cores)',
          'Machine busy (other load)',
          'Kept up',
        ],
        input.live.steps.map(liveRow),
      ),
      '',
    );
    const disturbed = input.live.steps.filter((s) => (s.machine?.otherLoad ?? 0) > 0.1);
    if (disturbed.length > 0) {
      out.push(
        `Other processes used more than 10 % of the machine during: ${disturbed
          .map((s) => `${s.system} × ${s.streams} (${pct(s.machine?.otherLoad)})`)
          .join(', ')}; those figures may be disturbed.`,
        '',
      );
    }
    const gc = input.live.steps.filter((s) => s.counters?.['gc_major_count'] !== undefined);
    if (gc.length > 0) {
      // V8 either keeps up with scavenges or falls into frequent mark-compacts; say which.
      out.push(
        `livesnap's garbage collection in the window (full / young collections, pause seconds): ${gc
          .map((s) => {
            const c = s.counters!;
            const pause = (c['gc_major_seconds'] ?? 0) + (c['gc_incremental_seconds'] ?? 0);
            return `× ${s.streams}: ${c['gc_major_count']} / ${c['gc_minor_count'] ?? 0}, ${pause.toFixed(2)} s`;
          })
          .join('; ')}.`,
        '',
      );
    }
    out.push('Where each sweep stopped:', '');
    for (const [id, why] of Object.entries(input.live.stopped)) out.push(`- ${id}: ${why}`);
    out.push('');
    const list = ratios(input.live.steps);
    out.push(
      input.capture === false
        ? '### Ratios of ingest alone (nginx-rtmp ÷ livesnap, same stream count, no capture)'
        : '### Ratios (baseline ÷ livesnap, same stream count)',
      '',
    );
    if (list.length === 0) {
      out.push('n/a: no stream count where livesnap and a baseline were both measured.', '');
    } else {
      out.push(
        table(
          ['Baseline', 'Streams', 'CPU-seconds ratio', 'Memory per stream ratio'],
          list.map((r) => [
            r.baseline,
            String(r.streams),
            r.comparable ? `${r.cpu}×` : `(${r.cpu}×: not comparable, one did not keep up)`,
            r.memory === undefined ? dash : `${r.memory}×`,
          ]),
        ),
        '',
      );
    }
  }
  if (input.offline) {
    out.push('### Offline', '');
    out.push(
      table(
        ['System', 'Wall s', 'CPU s', 'Outputs', 'Status / recipe'],
        input.offline.map((r) =>
          r.status === 'measured'
            ? [
                r.system,
                fmt(r.wallS),
                fmt(r.cpuS),
                `${r.singles} singles, sprite ${r.sprite ? 'yes' : 'no'}`,
                `\`${r.command}\``,
              ]
            : [r.system, dash, dash, dash, `${r.status}${r.reason ? ` (${r.reason})` : ''}`],
        ),
      ),
      '',
    );
  }
  out.push('### Targets', '');
  out.push(
    table(
      ['Target', 'Measured', 'Status'],
      targetChecks(input.live, input.offline, input.capture).map((c) => [
        c.target,
        c.measured,
        c.status,
      ]),
    ),
    '',
  );
  return out.join('\n');
}
