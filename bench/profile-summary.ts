/**
 * Where the time goes: top functions by self time in V8 CPU profiles (from
 * `npm run bench -- --profile`), and self time by source (our code, a package, Node, native).
 * Several files (e.g. every thread of one process) are summed.
 *   node --import tsx bench/profile-summary.ts bench/results/profiles/<run>/*.cpuprofile [top]
 *
 * A V8 profile samples wall-clock time on a JavaScript thread: a native call that waits (for
 * a lock, for the disk, for the CPU on a busy machine) is counted as its caller's self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

function source(url: string): string {
  if (!url) return '(native / VM)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  // The built server runs dist/, the compiled src/.
  const own = /\/(src|dist|bench|test)\/(.+)$/.exec(url);
  if (!own) return url;
  return `${own[1] === 'dist' ? 'src' : own[1]}/${own[2]!.split('/')[0]}`;
}

/** A package's file from node_modules/, ours from the repository root. */
function shortPath(url: string): string {
  const pkg = url.lastIndexOf('node_modules/');
  if (pkg >= 0) return url.slice(pkg);
  return url.replace(/^.*?\/(src|dist|bench|test)\//, '$1/');
}

const args = process.argv.slice(2);
const files = args.filter((a) => !/^\d+$/.test(a));
const top = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
if (files.length === 0) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile>... [top]\n');
  process.exit(2);
}

const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
let busy = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const where = url ? `${shortPath(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    bySource.set(source(url), (bySource.get(source(url)) ?? 0) + us);
  }
}
const ms = (us: number): string =>
  `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(`busy (non-idle) ${(busy / 1000).toFixed(0)} ms\n\nby source:\n`);
for (const [k, us] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  process.stdout.write(`${ms(us)}  ${k}\n`);
}
process.stdout.write(`\ntop ${top} functions by self time:\n`);
for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${ms(us)}  ${k}\n`);
}
