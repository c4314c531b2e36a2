import { readFileSync } from 'node:fs';

export const USAGE = `livesnap — snapshots of live video streams and video files

Usage:
  livesnap serve [--config FILE]   run the service (RTMP ingest, RPC API, console)
  livesnap callbacks list-dead [--domain D] [--limit N] [--json] [--config FILE]
  livesnap callbacks redeliver (EVENT_ID... | --all) [--domain D] [--config FILE]
                                   list dead-lettered callbacks, or queue them again
  livesnap --help                  show this help
  livesnap --version               print the version

Configuration: environment variables (LIVESNAP_*) override the JSON config file
(--config FILE or LIVESNAP_CONFIG), which overrides the defaults. See README.md.
`;

export type Command =
  | { kind: 'serve'; configFile?: string }
  | { kind: 'callbacks'; args: string[]; configFile?: string }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

/** Parses argv (without the node and script paths). Pure. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) return { kind: 'help' };
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  if (argv.includes('--version') || argv.includes('-v')) return { kind: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'serve' && command !== 'callbacks') {
    return { kind: 'error', message: `unknown command "${command}"` };
  }
  let configFile: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--config') {
      configFile = rest[++i];
      if (!configFile) return { kind: 'error', message: '--config needs a file name' };
    } else if (arg.startsWith('--config=')) {
      configFile = arg.slice('--config='.length);
    } else if (command === 'callbacks') {
      args.push(arg);
    } else {
      return { kind: 'error', message: `unknown option "${arg}"` };
    }
  }
  if (command === 'callbacks') return { kind: 'callbacks', args, configFile };
  return { kind: 'serve', configFile };
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
