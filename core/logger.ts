// Structured JSON logs on stderr (stdout belongs to the CLI's machine-readable lines) and,
// once the config is known, in size-rotated files IT can collect. Secrets are kept out by
// construction, and as a last line of defence every line is scrubbed of the tokens and
// the launch key, in every form core/secret-forms.ts matches, before it reaches any
// destination.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import pino, { type DestinationStream, type Logger, type MultiStreamRes } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { REDACTED, Secrets } from './secret-forms.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** What must never appear in a log line, in any form; read on every write, so it may grow later. */
  secrets?: Secrets;
  /** Where lines go; stderr by default (plus log files once logToFiles is called). */
  destination?: DestinationStream;
  /** With no destination given: also write to stderr (default true). */
  stderr?: boolean;
  /** Fields on every line (e.g. the kiosk id). */
  base?: Record<string, unknown>;
}

export const LOG_FILE_NAME = 'kiosk-shell.log';

/** The destinations of loggers that write to stderr, so that log files can be added later. */
const multistreams = new WeakMap<Logger, MultiStreamRes<string>>();
/** Each logger's log files, so that they can be flushed before the process exits. */
const logFiles = new WeakMap<Logger, LogFile[]>();

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? new Secrets();
  const multistream =
    options.destination === undefined
      ? pino.multistream(options.stderr === false ? [] : [{ stream: pino.destination({ fd: 2, sync: true }), level: 'trace' }])
      : undefined;
  const logger = pino(
    {
      level: logLevel(options.level ?? process.env.KIOSK_LOG_LEVEL),
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['token', '*.token', 'key', '*.key', 'headers.authorization', 'headers.cookie', 'headers["x-kiosk-key"]'],
        censor: REDACTED,
      },
      hooks: { streamWrite: (line) => secrets.redact(line) },
    },
    options.destination ?? multistream,
  );
  if (multistream !== undefined) multistreams.set(logger, multistream);
  return logger;
}

export interface LogFileOptions {
  dir: string;
  maxFileMB: number;
  keepFiles: number;
}

/**
 * Also writes the logger's lines (already scrubbed) to `dir`/kiosk-shell.log, rotated by
 * size. Returns the file's path, or undefined for a logger with a destination of its own
 * (tests) or when the folder cannot be written (the kiosk keeps running on stderr).
 */
export function logToFiles(logger: Logger, { dir, maxFileMB, keepFiles }: LogFileOptions): string | undefined {
  const multistream = multistreams.get(logger);
  if (multistream === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    logger.warn({ dir, code: (error as NodeJS.ErrnoException).code }, 'cannot create the log folder; logging to stderr only');
    return undefined;
  }
  const stream = createStream(LOG_FILE_NAME, { path: dir, size: `${maxFileMB}M`, maxFiles: keepFiles, mode: 0o600 });
  let failed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    // Not through the logger: it would write to the failing file again.
    process.stderr.write(`kiosk-shell: the log file in ${dir} cannot be written (${error.code ?? error.message}); logging to stderr only\n`);
  });
  const file = new LogFile(stream);
  multistream.add({ stream: file, level: 'trace' });
  logFiles.set(logger, [...(logFiles.get(logger) ?? []), file]);
  return `${dir}/${LOG_FILE_NAME}`;
}

/**
 * Writes what is in the logger's files' buffers and closes them, within `timeoutMs`. Call
 * it last, before the process exits: the file stream writes asynchronously, and lines it
 * still holds at process.exit() are lost (a flood of 16,000 resets once left 18 of about
 * 10,000 lines in the file). Lines logged afterwards go to stderr only.
 */
export async function flushLogs(logger: Logger, timeoutMs = 500): Promise<void> {
  const files = logFiles.get(logger) ?? [];
  logFiles.delete(logger);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all(files.map((file) => file.close())), timeout]);
  clearTimeout(timer);
}

/** A file may grow this much past its size before it rotates (the stream rotates after a write). */
export const LOG_BATCH_BYTES = 16 * 1024;

/**
 * The log file as pino sees it: lines gathered and handed to the rotating stream as one
 * write per turn of the event loop (or per LOG_BATCH_BYTES). The stream writes each chunk
 * with a system call of its own, so line by line a flood of 16,000 lines took a second
 * to drain; batched, a few milliseconds.
 */
class LogFile {
  readonly #stream: RotatingFileStream;
  #lines: string[] = [];
  #bytes = 0;
  #scheduled = false;
  #closed = false;

  constructor(stream: RotatingFileStream) {
    this.#stream = stream;
  }

  write(line: string): void {
    if (this.#closed) return;
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= LOG_BATCH_BYTES) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    if (this.#stream.destroyed || this.#stream.writableFinished) return;
    const finished = once(this.#stream, 'finish').catch(() => undefined);
    this.#stream.end();
    await finished;
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#lines.length === 0 || this.#stream.destroyed) return;
    const text = this.#lines.join('');
    this.#lines = [];
    this.#bytes = 0;
    this.#stream.write(text);
  }
}


/** A level pino knows; a typo in KIOSK_LOG_LEVEL must not stop the kiosk from starting. */
function logLevel(requested: string | undefined): string {
  return requested !== undefined && requested in pino.levels.values ? requested : 'info';
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
