// How a kiosk that cannot start says so. A config problem: plain lines on stderr, one per
// problem, each led by its key path, exit code 2. Anything else (a port in use, a shell
// that will not start): a log line naming the cause, exit code 1 — never a clean exit a
// supervisor would not restart.
import { ConfigError, KioskError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export const EXIT_CONFIG = 2;
export const EXIT_START_FAILED = 1;

/** Prints a config problem report and returns the exit code, or rethrows anything else. */
export function reportConfigError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (!(error instanceof ConfigError)) throw error;
  write(`kiosk-shell: the configuration cannot be used:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
  return EXIT_CONFIG;
}

/** Reports why start-up failed and returns the exit code: 2 for the config, 1 for anything else. */
export function reportStartFailure(error: unknown, logger: Logger): number {
  if (error instanceof ConfigError) return reportConfigError(error);
  // Our own errors say what to do; a person reading the terminal gets that line too.
  if (error instanceof KioskError) process.stderr.write(`kiosk-shell: ${error.message}\n`);
  logger.error({ err: error }, 'kiosk-shell could not start');
  return EXIT_START_FAILED;
}
