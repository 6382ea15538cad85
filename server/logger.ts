// Structured JSON logs on stderr (stdout belongs to the CLI's machine-readable lines).
// Secrets are kept out by construction, and as a last line of defence every line is
// scrubbed of the tokens and the launch key before it is written.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Values that must never appear in a log line; read on every write, so it may grow later. */
  secrets?: ReadonlySet<string>;
  /** Where lines go; stderr by default. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. the kiosk id). */
  base?: Record<string, unknown>;
}

const REDACTED = '[redacted]';

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? new Set<string>();
  return pino(
    {
      level: options.level ?? process.env.KIOSK_LOG_LEVEL ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['token', '*.token', 'key', '*.key', 'headers.authorization', 'headers.cookie', 'headers["x-kiosk-key"]'],
        censor: REDACTED,
      },
      hooks: { streamWrite: (line) => scrubSecrets(line, secrets) },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** `text` with every secret, raw or JSON-escaped, replaced. */
export function scrubSecrets(text: string, secrets: ReadonlySet<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    result = result.split(secret).join(REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) result = result.split(escaped).join(REDACTED);
  }
  return result;
}

/**
 * A log call that writes at most `max` lines per reason per window, so that a flood of
 * refused requests cannot flood the disk; the next line after a quiet spell says how
 * many were suppressed.
 */
export function rateLimitedLog(logger: Logger, { max = 10, windowMs = 60_000 } = {}) {
  const windows = new Map<string, { start: number; count: number; suppressed: number }>();
  return (reason: string, fields: Record<string, unknown> = {}, message = reason): void => {
    const now = Date.now();
    let window = windows.get(reason);
    if (window === undefined || now - window.start >= windowMs) {
      const suppressed = window?.suppressed ?? 0;
      window = { start: now, count: 0, suppressed: 0 };
      windows.set(reason, window);
      if (suppressed > 0) fields = { ...fields, suppressedBefore: suppressed };
    }
    if (window.count >= max) {
      window.suppressed++;
      return;
    }
    window.count++;
    logger.warn({ reason, ...fields }, message);
  };
}
