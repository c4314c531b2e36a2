/**
 * Reads what the benchmark needs from a Prometheus text exposition: one histogram and
 * labelled counters; quantiles from histogram buckets. Pure.
 */
import type { Histogram } from './systems/system-types.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    out.push({ name: match[1]!, labels, value: parseValue(match[3]!) });
  }
  return out;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** The histogram `name`, summed over its label sets; undefined when absent. */
export function readHistogram(text: string, name: string): Histogram | undefined {
  const samples = parseSamples(text);
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let found = false;
  for (const s of samples) {
    if (s.name === `${name}_bucket` && s.labels['le'] !== undefined) {
      const le = parseValue(s.labels['le']);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      found = true;
    } else if (s.name === `${name}_count`) count += s.value;
    else if (s.name === `${name}_sum`) sum += s.value;
  }
  if (!found) return undefined;
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/** Counter values by one label, e.g. livesnap_snapshots_total by outcome. */
export function readCounter(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(text)) {
    if (s.name !== name && s.name !== `${name}_total`) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(from: Histogram | undefined, to: Histogram): Histogram {
  const before = new Map(from?.buckets.map((b) => [b.le, b.count]) ?? []);
  return {
    buckets: to.buckets.map((b) => ({ le: b.le, count: b.count - (before.get(b.le) ?? 0) })),
    count: to.count - (from?.count ?? 0),
    sum: to.sum - (from?.sum ?? 0),
  };
}

/**
 * The q-quantile (0..1), interpolating linearly inside the bucket (as PromQL's
 * histogram_quantile does). Undefined when empty; the highest finite bound when the
 * quantile falls in the +Inf bucket.
 */
export function quantile(h: Histogram, q: number): number | undefined {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of h.buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
