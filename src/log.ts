import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Structured logs: one JSON line per event on stderr. Components get a child logger with
 * their identity (component, stream id) bound, so every line says what it is about.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino(
    {
      level,
      base: { svc: 'livesnap' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['accessKeySecret', '*.accessKeySecret', 'secret', '*.secret', 'AccessKeySecret'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
