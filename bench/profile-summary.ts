/**
 * Where the time goes: top functions by self time in a V8 CPU profile (from
 * `npm run bench -- --profile`), and self time by source (our code, a package, Node, native).
 *   node --import tsx bench/profile-summary.ts bench/results/profiles/<run>/CPU….cpuprofile [top]
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
  const own = /\/(src|bench|test)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]!.split('/')[0]}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);

const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
let busy = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === '(idle)') continue;
  busy += us;
  const where = url
    ? `${url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${lineNumber + 1}`
    : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  bySource.set(source(url), (bySource.get(source(url)) ?? 0) + us);
}
const top = Number(topArg ?? 25);
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
