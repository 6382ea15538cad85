// Heals the page without a person: the shell reports what it sees fail (a crash, a hang,
// a failed load), the watchdog what the page's silence says (blank, hung), and each
// failure gets the next remedy the recovery budget allows (reload, recreate, relaunch).
// A page that shows content again ends the fault.
import type { Logger } from '../core/logger.ts';
import type { PageToShell } from '../protocol/page.ts';
import type { PagesPort } from '../server/relay.ts';
import { PageWatchdog } from './page-watchdog.ts';
import type { FailureKind, RecoveryBudget, RecoveryStats } from './recovery-budget.ts';
import type { Shell } from './shell.ts';

export type RendererState = 'loading' | 'alive' | 'unresponsive' | 'none' | 'crashed';

export interface RecoveryOptions {
  shell: Shell;
  pages: PagesPort;
  budget: RecoveryBudget;
  logger: Logger;
  watchdog?: { connectGraceMs?: number; heartbeatTimeoutMs?: number };
  now?: () => number;
}

export class Recovery {
  readonly #o: RecoveryOptions;
  readonly #watchdog: PageWatchdog;
  readonly #timers = new Set<NodeJS.Timeout>();
  #recovering = false;
  #stopped = false;

  constructor(options: RecoveryOptions) {
    this.#o = options;
    this.#watchdog = new PageWatchdog({ ...(options.now ? { now: options.now } : {}), ...options.watchdog });
  }

  get stats(): RecoveryStats {
    return this.#o.budget.stats;
  }

  /** A relaunch that is not a remedy (a restart): counted against the same budget, and logged with why. */
  relaunched(reason: string): void {
    this.#o.budget.relaunched();
    this.#o.logger.warn({ reason, relaunchesThisHour: this.#o.budget.stats.relaunchTimes.length }, 'relaunching the shell');
  }

  rendererState(): RendererState {
    return this.#o.shell.rendererState() ?? this.#watchdog.state();
  }

  start(): void {
    const { shell, pages } = this.#o;
    shell.on('failure', this.#onFailure);
    shell.on('loading', this.#onLoading);
    pages.on('message', this.#onPage);
    pages.on('change', this.#onPages);
    this.#watchdog.on('failure', this.#onFailure);
    const check = setInterval(() => this.#watchdog.check(), 1000);
    check.unref();
    this.#timers.add(check);
  }

  stop(): void {
    this.#stopped = true;
    const { shell, pages } = this.#o;
    shell.off('failure', this.#onFailure);
    shell.off('loading', this.#onLoading);
    pages.off('message', this.#onPage);
    pages.off('change', this.#onPages);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  readonly #onLoading = (): void => this.#watchdog.loadStarted();
  readonly #onPages = (connected: number): void => this.#watchdog.pages(connected);

  readonly #onPage = (message: PageToShell): void => {
    this.#watchdog.beat();
    if (message.type !== 'local.shown') return;
    this.#o.budget.healthy();
    this.#recovering = false;
  };

  readonly #onFailure = (kind: FailureKind, detail: string): void => {
    if (this.#stopped || this.#recovering) return;
    const { budget, shell, logger } = this.#o;
    const step = budget.next(kind);
    this.#recovering = true;
    logger.warn({ kind, detail, step, consecutive: budget.stats.consecutive }, 'page failure: recovering');
    const act = async () => {
      // Until a page shows content again, the next failure report is the same fault.
      this.#recovering = false;
      if (step.action === 'reload') await shell.reload();
      else if (step.action === 'recreate') await shell.recreate();
      else await shell.relaunch();
    };
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        act().catch((error: unknown) => {
          logger.error({ err: error, step }, 'recovery step failed');
          this.#recovering = false;
        });
      },
      step.action === 'relaunch' ? 0 : step.delayMs,
    );
    this.#timers.add(timer);
  };
}
