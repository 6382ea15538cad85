// What a command from the upstream comes to on this kiosk, decided without side effects:
// the command runner commits state only once an action really starts. Plain functions,
// clock and randomness passed in, so every rule is tested without a window:
//   - an id seen before is not run again (the runner answers with what it stored);
//   - a command for other kiosks is `ignored` / `not-targeted`;
//   - one whose expiresAt has passed is `expired`;
//   - screenshots switched off are `withheld` / `disabled`;
//   - at most one reload per reset.minIntervalSeconds (`ignored` / `too-soon`), checked
//     again when the reload is about to start;
//   - a reset waits a random 0..reset.staggerSeconds first, to spread a fleet.
import { targetsKiosk, type Command, type TerminalStatus } from '../protocol/upstream.ts';

export interface CommandPolicyOptions {
  kioskId: string;
  groups: readonly string[];
  minIntervalMs: number;
  staggerMs: number;
  screenshotsEnabled: boolean;
}

export type Decision =
  | { action: 'repeat' }
  | { action: 'answer'; status: TerminalStatus; reason?: string }
  | { action: 'run'; staggerMs: number };

export interface DecisionContext {
  now: number;
  seen: (id: string) => boolean;
  lastReloadAt: number | undefined;
  random: () => number;
}

export function decideCommand(command: Command, options: CommandPolicyOptions, context: DecisionContext): Decision {
  const { now } = context;
  if (command.id !== null && context.seen(command.id)) return { action: 'repeat' };
  if (!targetsKiosk(command.target, options.kioskId, options.groups)) return { action: 'answer', status: 'ignored', reason: 'not-targeted' };
  if (command.expiresAt !== undefined && command.expiresAt <= now) return { action: 'answer', status: 'expired' };
  if (command.name === 'screenshot' && !options.screenshotsEnabled) return { action: 'answer', status: 'withheld', reason: 'disabled' };
  if (command.name === 'reset') {
    if (reloadTooSoon(now, context.lastReloadAt, options.minIntervalMs)) return { action: 'answer', status: 'ignored', reason: 'too-soon' };
    return { action: 'run', staggerMs: Math.floor(context.random() * options.staggerMs) };
  }
  return { action: 'run', staggerMs: 0 };
}

/** Was the last reload for a reset less than `minIntervalMs` ago? A clock that went backwards (NTP) never blocks resets. */
export function reloadTooSoon(now: number, lastReloadAt: number | undefined, minIntervalMs: number): boolean {
  if (lastReloadAt === undefined) return false;
  const since = now - lastReloadAt;
  return since >= 0 && since < minIntervalMs;
}
