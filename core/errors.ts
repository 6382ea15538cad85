// One error class for everything the product reports on purpose. `code` is stable
// (tests, logs and exit codes key on it); `message` says what to do next and never
// holds a secret.
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_LISTEN'
  | 'E_SHELL_UNAVAILABLE'
  | 'E_UPSTREAM'
  /** The shell has no window or page to act on (`serve` with no page connected). */
  | 'E_NO_WINDOW'
  /** The shell could not carry out an action (a crashed page, a capture that failed). */
  | 'E_SHELL_ACTION';

export class KioskError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KioskError';
    this.code = code;
  }
}

/** A configuration that cannot run: every problem, each prefixed by its key path. */
export class ConfigError extends KioskError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('E_CONFIG', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Whatever was thrown, as an Error with a message safe to log. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${Object.prototype.toString.call(thrown)}`);
}
