// How the shell heals a page that crashed, hung, failed to load or went blank: tiers of
// ever stronger remedies, with a budget so a persistent fault cannot become a reload
// storm or a relaunch loop.
//   1..reloads          reload the page, with exponential backoff;
//   then ..recreates    throw the window away and make a new one (a new renderer process);
//   then                relaunch the whole app, at most maxRelaunchesPerHour;
//   beyond the budget   keep recreating at the longest delay, and never give up.
// Counters are persisted: a relaunch must not reset the budget it is spending.
import { readStateFile, saveStateFile } from './state-file.ts';

export type FailureKind = 'crashed' | 'unresponsive' | 'load-failed' | 'blank';

export type RecoveryStep = { action: 'reload'; delayMs: number } | { action: 'recreate'; delayMs: number } | { action: 'relaunch' };

export interface RecoveryBudgetOptions {
  file?: string | undefined;
  /** A counter file that cannot be written is reported here; the budget carries on in memory. */
  onSaveError?: (error: unknown) => void;
  now?: () => number;
  reloads?: number;
  recreates?: number;
  maxRelaunchesPerHour?: number;
  baseDelayMs?: number;
  capDelayMs?: number;
}

export interface RecoveryStats {
  consecutive: number;
  total: number;
  byKind: Record<FailureKind, number>;
  reloads: number;
  recreates: number;
  relaunches: number;
  relaunchTimes: number[];
}

const HOUR_MS = 3_600_000;

export class RecoveryBudget {
  readonly #file: string | undefined;
  readonly #onSaveError: ((error: unknown) => void) | undefined;
  readonly #now: () => number;
  readonly #reloads: number;
  readonly #recreates: number;
  readonly #maxRelaunches: number;
  readonly #baseDelayMs: number;
  readonly #capDelayMs: number;
  readonly #stats: RecoveryStats;

  constructor(options: RecoveryBudgetOptions = {}) {
    this.#file = options.file;
    this.#onSaveError = options.onSaveError;
    this.#now = options.now ?? Date.now;
    this.#reloads = options.reloads ?? 3;
    this.#recreates = options.recreates ?? 2;
    this.#maxRelaunches = options.maxRelaunchesPerHour ?? 3;
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#capDelayMs = options.capDelayMs ?? 60_000;
    this.#stats = loadStats(this.#file);
  }

  get stats(): RecoveryStats {
    return structuredClone(this.#stats);
  }

  /** The next remedy for a failure. */
  next(kind: FailureKind): RecoveryStep {
    const stats = this.#stats;
    stats.consecutive++;
    stats.total++;
    stats.byKind[kind]++;
    const n = stats.consecutive;
    let step: RecoveryStep;
    if (n <= this.#reloads) {
      step = { action: 'reload', delayMs: this.#delay(n - 1) };
      stats.reloads++;
    } else if (n <= this.#reloads + this.#recreates) {
      step = { action: 'recreate', delayMs: this.#delay(n - 1) };
      stats.recreates++;
    } else {
      const now = this.#now();
      stats.relaunchTimes = stats.relaunchTimes.filter((at) => now - at < HOUR_MS && now >= at);
      if (stats.relaunchTimes.length < this.#maxRelaunches) {
        stats.relaunchTimes.push(now);
        stats.relaunches++;
        step = { action: 'relaunch' };
      } else {
        step = { action: 'recreate', delayMs: this.#capDelayMs };
        stats.recreates++;
      }
    }
    this.#save();
    return step;
  }

  /** A relaunch for another reason than a fault (a restart command, the daily restart): it spends the same hourly budget. */
  relaunched(): void {
    const now = this.#now();
    this.#stats.relaunchTimes = [...this.#stats.relaunchTimes.filter((at) => now - at < HOUR_MS && now >= at), now];
    this.#stats.relaunches++;
    this.#save();
  }

  /** The page showed content: the fault is over and the next one starts from the first tier. */
  healthy(): void {
    if (this.#stats.consecutive === 0) return;
    this.#stats.consecutive = 0;
    this.#save();
  }

  #delay(exponent: number): number {
    return Math.min(this.#capDelayMs, this.#baseDelayMs * 2 ** Math.min(exponent, 20));
  }

  #save(): void {
    if (this.#file !== undefined) saveStateFile(this.#file, this.#stats, this.#onSaveError);
  }
}

function loadStats(file: string | undefined): RecoveryStats {
  const fresh: RecoveryStats = {
    consecutive: 0,
    total: 0,
    byKind: { crashed: 0, unresponsive: 0, 'load-failed': 0, blank: 0 },
    reloads: 0,
    recreates: 0,
    relaunches: 0,
    relaunchTimes: [],
  };
  const saved = file === undefined ? undefined : readStateFile(file);
  if (typeof saved !== 'object' || saved === null) return fresh;
  const s = saved as Partial<RecoveryStats>;
  const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0);
  return {
    consecutive: count(s.consecutive),
    total: count(s.total),
    byKind: {
      crashed: count(s.byKind?.crashed),
      unresponsive: count(s.byKind?.unresponsive),
      'load-failed': count(s.byKind?.['load-failed']),
      blank: count(s.byKind?.blank),
    },
    reloads: count(s.reloads),
    recreates: count(s.recreates),
    relaunches: count(s.relaunches),
    relaunchTimes: Array.isArray(s.relaunchTimes) ? s.relaunchTimes.filter((t): t is number => typeof t === 'number') : [],
  };
}
