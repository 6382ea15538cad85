// Decides what a reset does to this kiosk. Plain TypeScript, clock and randomness
// injected, so every rule is tested without a window:
//   - a reset targeted elsewhere is ignored (and not acknowledged: it is not ours);
//   - one reload per reset id, remembered across reloads and restarts (a repeat is not
//     acknowledged again: the first acknowledgement stands);
//   - at most one reload per minInterval (legacy resets without an id count by time
//     only); a reset inside the interval, or while a reload is under way, is
//     acknowledged as "ignored";
//   - a reload waits a random 0..stagger first, to spread a fleet.
import { targetsKiosk, type ResetCommand } from '../server/messages.ts';
import type { ResetMemory } from './reset-memory.ts';

export type ResetDecision =
  | { action: 'reload'; delayMs: number }
  | { action: 'ignore'; why: 'not-targeted' | 'duplicate'; acknowledge: false }
  | { action: 'ignore'; why: 'too-soon' | 'busy'; acknowledge: true };

export interface ResetPolicyOptions {
  kioskId: string;
  groups: readonly string[];
  minIntervalMs: number;
  staggerMs: number;
  memory: ResetMemory;
  now?: () => number;
  random?: () => number;
}

export class ResetPolicy {
  readonly #options: ResetPolicyOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  #busy = false;

  constructor(options: ResetPolicyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  decide(reset: ResetCommand): ResetDecision {
    const { kioskId, groups, minIntervalMs, staggerMs, memory } = this.#options;
    if (!targetsKiosk(reset.target, kioskId, groups)) return { action: 'ignore', why: 'not-targeted', acknowledge: false };
    if (reset.id !== null) {
      if (memory.has(reset.id)) return { action: 'ignore', why: 'duplicate', acknowledge: false };
      memory.remember(reset.id);
    }
    if (this.#busy) return { action: 'ignore', why: 'busy', acknowledge: true };
    const now = this.#now();
    // A clock that went backwards (NTP on a long-running kiosk) must not block resets forever.
    const since = memory.lastReloadAt === undefined ? Infinity : now - memory.lastReloadAt;
    if (since >= 0 && since < minIntervalMs) return { action: 'ignore', why: 'too-soon', acknowledge: true };
    this.#busy = true;
    memory.lastReloadAt = now;
    return { action: 'reload', delayMs: Math.floor(this.#random() * staggerMs) };
  }

  /** The reload a `reload` decision started has ended (shown, failed or timed out). */
  finished(): void {
    this.#busy = false;
  }
}
