// How configuration problems reach a person: plain lines on stderr, one per problem, each
// led by its key path, and exit code 2. Used by every command that loads a config.
import { ConfigError } from '../server/errors.ts';

export const EXIT_CONFIG = 2;

/** Prints a config problem report and returns the exit code, or rethrows anything else. */
export function reportConfigError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (!(error instanceof ConfigError)) throw error;
  write(`kiosk-shell: the configuration cannot be used:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
  return EXIT_CONFIG;
}
