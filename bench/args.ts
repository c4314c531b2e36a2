/** Command-line flags of `npm run bench`. Pure. */
import type { Codec, Resolution } from './media.js';
import { SYSTEM_IDS, type SystemId } from './systems/system-types.js';

export interface BenchArgs {
  readonly quick: boolean;
  readonly streams: readonly number[];
  readonly durationS: number;
  readonly interval: number;
  readonly codec: Codec;
  readonly res: Resolution;
  readonly audio: boolean;
  readonly systems: readonly SystemId[];
  readonly offline: boolean;
  readonly live: boolean;
  /** Seconds of the offline scenario's file (600 = the 10-minute file). */
  readonly offlineSeconds: number;
  readonly offlineCount: number;
  readonly offlineTile: [number, number];
  readonly profile: boolean;
  /** Extra Node.js options for the livesnap server process (an experiment, not the default). */
  readonly livesnapNodeOptions: readonly string[];
  /** RTMP chunk size the publishers announce and use. */
  readonly chunkSize: number;
  /** All streams start together (worst case: every keyframe at the same instant). */
  readonly inStep: boolean;
  /** Ingest only: no snapshot rule in livesnap, no ffmpeg readers behind nginx. */
  readonly noCapture: boolean;
  readonly help: boolean;
}

export const BENCH_USAGE = `npm run bench -- [flags]

  --quick                 smoke run: 5 and 10 streams, 10 s windows, 2-minute offline file
  --streams 10,50,100,200 stream counts of the sweep
  --duration 60           measured window per step, seconds (after warm-up)
  --codec h264|hevc       live clip codec (HEVC goes out as Enhanced RTMP)
  --res 1080p|720p        live clip resolution
  --audio on|off          AAC audio track in the live clip (default on)
  --systems livesnap,nginx-full,nginx-keyframe
  --skip-offline          skip the offline scenario
  --skip-live             skip the live scenario
  --in-step               start every stream at the same instant (default: start offsets
                          spread over one snapshot interval, as independent encoders are)
  --profile               write a V8 CPU profile of livesnap per step (bench/results/profiles/)
  --livesnap-node-options "--flag …"
                          extra Node.js options for livesnap's process (reported with it)
  --chunk-size 4096       RTMP chunk size of the publishers (FFmpeg and OBS send 4096)
  --no-capture            ingest only: livesnap without a snapshot rule, nginx-rtmp without
                          ffmpeg readers (nginx-full and nginx-keyframe are then one system)
`;

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new Error(`${flag} needs a value`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick');
  let streams: number[] = quick ? [5, 10] : [10, 50, 100, 200];
  let durationS = quick ? 10 : 60;
  let codec: Codec = 'h264';
  let res: Resolution = '1080p';
  let audio = true;
  let systems: SystemId[] = [...SYSTEM_IDS];
  let offline = true;
  let live = true;
  let profile = false;
  let livesnapNodeOptions: string[] = [];
  let chunkSize = 4096;
  let inStep = false;
  let noCapture = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--streams':
        streams = list(value(), flag).map((s) => {
          const n = Number(s);
          if (!Number.isInteger(n) || n < 1) throw new Error(`--streams: bad count "${s}"`);
          return n;
        });
        break;
      case '--duration': {
        durationS = Number(value());
        if (!Number.isFinite(durationS) || durationS < 5) {
          throw new Error('--duration must be at least 5 (seconds)');
        }
        break;
      }
      case '--codec': {
        const v = value();
        if (v !== 'h264' && v !== 'hevc') throw new Error('--codec must be h264 or hevc');
        codec = v;
        break;
      }
      case '--res': {
        const v = value();
        if (v !== '1080p' && v !== '720p') throw new Error('--res must be 1080p or 720p');
        res = v;
        break;
      }
      case '--audio': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new Error('--audio must be on or off');
        audio = v === 'on';
        break;
      }
      case '--systems':
        systems = list(value(), flag).map((s) => {
          if (!SYSTEM_IDS.includes(s as SystemId)) {
            throw new Error(`--systems: unknown "${s}" (known: ${SYSTEM_IDS.join(', ')})`);
          }
          return s as SystemId;
        });
        break;
      case '--skip-offline':
        offline = false;
        break;
      case '--skip-live':
        live = false;
        break;
      case '--profile':
        profile = true;
        break;
      case '--livesnap-node-options':
        livesnapNodeOptions = (value() ?? '').split(/\s+/).filter(Boolean);
        if (livesnapNodeOptions.some((o) => !o.startsWith('--'))) {
          throw new Error(
            '--livesnap-node-options takes Node.js flags, e.g. "--max-semi-space-size=1"',
          );
        }
        break;
      case '--chunk-size': {
        chunkSize = Number(value());
        if (!Number.isInteger(chunkSize) || chunkSize < 128 || chunkSize > 0xffffff) {
          throw new Error('--chunk-size must be an integer from 128 to 16777215');
        }
        break;
      }
      case '--in-step':
        inStep = true;
        break;
      case '--no-capture':
        noCapture = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown flag "${argv[i]}"`);
    }
  }
  return {
    quick,
    streams: [...new Set(streams)].sort((a, b) => a - b),
    durationS,
    interval: 5,
    codec,
    res,
    audio,
    // Without capture both nginx recipes are nginx-rtmp alone: run it once.
    systems:
      noCapture && systems.includes('nginx-full')
        ? systems.filter((id) => id !== 'nginx-keyframe')
        : systems,
    offline,
    live,
    offlineSeconds: quick ? 120 : 600,
    offlineCount: quick ? 20 : 100,
    offlineTile: quick ? [5, 4] : [10, 10],
    profile,
    livesnapNodeOptions,
    chunkSize,
    inStep,
    noCapture,
    help,
  };
}
