/**
 * What the benchmark measures, read from /proc (Linux): CPU time and memory of process
 * trees, machine-wide CPU, available memory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export const CLK_TCK = ticksPerSecond();
const PAGE_SIZE = pageSize();

function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

function ticksPerSecond(): number {
  return getconf('CLK_TCK', 100);
}

function pageSize(): number {
  return getconf('PAGESIZE', 4096);
}

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly cpuSeconds: number;
  /** Start time in clock ticks after boot: tells a reused pid apart. */
  readonly startTime: number;
  readonly rssBytes: number;
}

/**
 * Parses /proc/<pid>/stat (or, with `tid`, the stat of one thread, e.g. the main thread
 * when tid = pid); undefined when the process is gone.
 */
export function readProcStat(pid: number, tid?: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(
      tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
      'utf8',
    );
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const num = (field: number): number => Number(fields[field - 3]);
  return {
    pid,
    ppid: num(4),
    cpuSeconds: (num(14) + num(15)) / CLK_TCK,
    startTime: num(22),
    rssBytes: num(24) * PAGE_SIZE,
  };
}

/** The given processes and all their descendants that are alive now. */
export function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const out: number[] = [];
  const queue = roots.filter((pid) => readProcStat(pid) !== undefined);
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Proportional set size (shared pages divided among the processes sharing them). */
export function readPssBytes(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  readonly processes: number;
  readonly rssBytes: number;
  /** undefined when smaps_rollup is unreadable (old kernel, other user). */
  readonly pssBytes: number | undefined;
}

export function sampleMemory(roots: readonly number[]): MemorySample {
  const pids = processTree(roots);
  let rss = 0;
  let pss: number | undefined = 0;
  for (const pid of pids) {
    rss += readProcStat(pid)?.rssBytes ?? 0;
    const p = readPssBytes(pid);
    pss = p === undefined || pss === undefined ? undefined : pss + p;
  }
  return { processes: pids.length, rssBytes: rss, pssBytes: pss };
}

/**
 * CPU seconds used by a changing set of process trees since `mark()`. Sample it often
 * (every second): a process that exits keeps its last sampled value, so at most one sample
 * interval of its CPU is lost.
 */
export class CpuMeter {
  readonly #roots: () => readonly number[];
  readonly #base = new Map<string, number>();
  readonly #last = new Map<string, number>();
  readonly #mainBase = new Map<string, number>();
  readonly #mainLast = new Map<string, number>();
  #pids = 0;

  constructor(roots: () => readonly number[]) {
    this.#roots = roots;
  }

  /** Starts the window: the current CPU of every process is the baseline. */
  mark(): void {
    this.#base.clear();
    this.#last.clear();
    this.#mainBase.clear();
    this.#mainLast.clear();
    const { all, main } = this.#read();
    for (const [key, cpu] of all) {
      this.#base.set(key, cpu);
      this.#last.set(key, cpu);
    }
    for (const [key, cpu] of main) {
      this.#mainBase.set(key, cpu);
      this.#mainLast.set(key, cpu);
    }
  }

  sample(): void {
    const { all, main } = this.#read();
    for (const [key, cpu] of all) this.#last.set(key, cpu);
    for (const [key, cpu] of main) this.#mainLast.set(key, cpu);
  }

  /** CPU seconds since mark(); processes started since count from zero. */
  seconds(): number {
    let total = 0;
    for (const [key, cpu] of this.#last) total += cpu - (this.#base.get(key) ?? 0);
    return total;
  }

  /**
   * The part of seconds() spent on the processes' main threads (for Node: the JavaScript
   * thread; the rest is libuv's pool, where native decoding runs, and V8's helpers).
   */
  mainThreadSeconds(): number {
    let total = 0;
    for (const [key, cpu] of this.#mainLast) total += cpu - (this.#mainBase.get(key) ?? 0);
    return total;
  }

  /** How many processes the last sample saw. */
  get processes(): number {
    return this.#pids;
  }

  #read(): { all: Map<string, number>; main: Map<string, number> } {
    const all = new Map<string, number>();
    const main = new Map<string, number>();
    const pids = processTree(this.#roots());
    this.#pids = pids.length;
    for (const pid of pids) {
      const stat = readProcStat(pid);
      if (!stat) continue;
      const key = `${pid}:${stat.startTime}`;
      all.set(key, stat.cpuSeconds);
      const thread = readProcStat(pid, pid);
      if (thread) main.set(key, thread.cpuSeconds);
    }
    return { all, main };
  }
}

export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

/** Aggregate CPU jiffies from /proc/stat (busy = all but idle and iowait). */
export function readMachineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** Fraction of all cores busy between two samples. */
export function busyFraction(from: MachineCpu, to: MachineCpu): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : 0;
}

export function memAvailableBytes(): number {
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
