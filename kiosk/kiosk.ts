// The kiosk side, wired once for every shell: the command runner (commands and resets in,
// acks out), recovery (the page healed without a person), the display (off by command or
// schedule, woken by a touch), the schedule (display windows, the daily restart), the
// renderer's memory, what counts as somebody using the kiosk, and kiosk.status every
// status.intervalSeconds. Plain TypeScript: every shell gets the same kiosk, tested
// without Electron.
import path from 'node:path';
import type { RuntimeConfig } from '../core/config/schema.ts';
import { rateLimitedLog, type Logger } from '../core/logger.ts';
import { Secrets, upstreamTextForLog } from '../core/secret-forms.ts';
import type { PageToShell } from '../protocol/page.ts';
import type { DisplayState, StatusFrame } from '../protocol/upstream.ts';
import type { PagesPort, UpstreamPort } from '../server/relay.ts';
import { Activity } from './activity.ts';
import { CommandJournal } from './command-journal.ts';
import { CommandRunner, type CommandRunnerOptions, type CommandStats } from './command-runner.ts';
import { Display } from './display.ts';
import { MemoryWatch, type MemoryStats } from './memory-watch.ts';
import { RecoveryBudget, type RecoveryStats } from './recovery-budget.ts';
import { Recovery, type RendererState } from './recovery.ts';
import { Scheduler, type ScheduleSummary } from './scheduler.ts';
import type { Shell } from './shell.ts';

/** With idle.returnHomeSeconds 0 (no return home), `when: idle` still needs a quiet period. */
const DEFAULT_IDLE_SECONDS = 120;

export interface KioskOptions {
  relay: { upstream: UpstreamPort; pages: PagesPort };
  shell: Shell;
  config: RuntimeConfig;
  version: string;
  logger: Logger;
  /** Where command ids, acks and recovery counters persist; undefined keeps them in memory. */
  stateDir: string | undefined;
  /** When the API last answered (from the server's API proxy), for kiosk.status. */
  lastApiOkAt?: () => string | null;
  /** The runtime's secrets, kept out of upstream text that is logged (by default the two tokens). */
  secrets?: Secrets;
  recovery?: { baseDelayMs?: number; capDelayMs?: number };
  watchdog?: { connectGraceMs?: number; heartbeatTimeoutMs?: number };
  runner?: Pick<CommandRunnerOptions, 'shownTimeoutMs' | 'homeTimeoutMs' | 'acceptAfterMs' | 'logText'>;
  /** How often the schedule re-reads the clock (default 15 s). */
  scheduleTickMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface KioskStats {
  commands: CommandStats;
  recovery: RecoveryStats;
  display: DisplayState;
  renderer: RendererState;
  inUse: boolean;
  memory: MemoryStats;
  schedule: ScheduleSummary;
}

export class Kiosk {
  readonly #o: KioskOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly activity: Activity;
  readonly display: Display;
  readonly #runner: CommandRunner;
  readonly #recovery: Recovery;
  readonly #scheduler: Scheduler;
  readonly #memory: MemoryWatch;
  #statusTimer: NodeJS.Timeout | undefined;

  constructor(options: KioskOptions) {
    const { config, shell, relay, logger, stateDir } = options;
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    const stateFile = (name: string) => (stateDir === undefined ? undefined : path.join(stateDir, name));
    const warn = rateLimitedLog(logger, { max: 3, windowMs: 3_600_000 });
    const onSaveError = (error: unknown) =>
      warn('state-not-saved', { dir: stateDir, code: (error as NodeJS.ErrnoException).code }, 'cannot save kiosk state (kept in memory only)');
    const clock = options.now ? { now: options.now } : {};
    const secrets = options.secrets ?? new Secrets([config.upstream.ws.token, config.upstream.api.token]);
    const idleMs = (config.idle.returnHomeSeconds || DEFAULT_IDLE_SECONDS) * 1000;
    this.activity = new Activity(clock);
    this.display = new Display({ shell, wakeMs: config.schedule.wakeOnTouchMinutes * 60_000, logger, ...clock });
    this.#runner = new CommandRunner({
      upstream: relay.upstream,
      pages: relay.pages,
      shell,
      display: this.display,
      activity: this.activity,
      journal: new CommandJournal(stateFile('commands.json'), { onSaveError }),
      policy: {
        kioskId: config.kioskId,
        groups: config.groups,
        minIntervalMs: config.reset.minIntervalSeconds * 1000,
        staggerMs: config.reset.staggerSeconds * 1000,
        screenshotsEnabled: config.screenshot.enabled,
      },
      idleMs,
      screenshot: { privacyMs: config.screenshot.privacySeconds * 1000, maxBytes: config.screenshot.maxBytes },
      logger,
      logText: (text) => upstreamTextForLog(text, secrets),
      onRelaunch: (reason) => this.#recovery.relaunched(reason),
      ...options.runner,
      ...clock,
      ...(options.random ? { random: options.random } : {}),
    });
    this.#recovery = new Recovery({
      shell,
      pages: relay.pages,
      budget: new RecoveryBudget({ file: stateFile('recovery.json'), onSaveError, ...clock, ...options.recovery }),
      logger,
      ...(options.watchdog ? { watchdog: options.watchdog } : {}),
      ...clock,
    });
    this.#scheduler = new Scheduler({
      schedule: config.schedule,
      display: this.display,
      restart: ({ id, deadline }) => this.#runner.runLocal({ id, name: 'restart', args: {}, target: 'all', when: 'idle', deadline, via: 'kiosk.command' }),
      logger,
      stateFile: stateFile('schedule.json'),
      ...(options.scheduleTickMs === undefined ? {} : { tickMs: options.scheduleTickMs }),
      ...clock,
      ...(options.random ? { random: options.random } : {}),
    });
    this.#memory = new MemoryWatch({
      shell,
      activity: this.activity,
      idleMs,
      maxMB: config.recovery.maxRendererMemoryMB,
      checkMs: config.recovery.memoryCheckSeconds * 1000,
      logger,
    });
  }

  get stats(): KioskStats {
    return {
      commands: this.#runner.stats,
      recovery: this.#recovery.stats,
      display: this.display.state,
      renderer: this.#recovery.rendererState(),
      inUse: this.activity.inUse,
      memory: this.#memory.stats,
      schedule: this.#scheduler.summary(),
    };
  }

  /** Listens to the shell and the relay; the caller opens the shell afterwards. */
  start(): void {
    const { shell, relay } = this.#o;
    shell.on('input', this.#onInput);
    shell.on('wake', this.#onWake);
    relay.pages.on('message', this.#onPage);
    relay.pages.on('change', this.#onPages);
    this.#recovery.start();
    this.#runner.start();
    this.#scheduler.start();
    this.#memory.start();
    this.#statusTimer = setInterval(() => this.#sendStatus(), this.#o.config.status.intervalSeconds * 1000);
    this.#statusTimer.unref();
  }

  stop(): void {
    const { shell, relay } = this.#o;
    clearInterval(this.#statusTimer);
    shell.off('input', this.#onInput);
    shell.off('wake', this.#onWake);
    relay.pages.off('message', this.#onPage);
    relay.pages.off('change', this.#onPages);
    this.#runner.stop();
    this.#recovery.stop();
    this.#scheduler.stop();
    this.#memory.stop();
    this.display.stop();
  }

  readonly #onInput = (): void => this.activity.input();

  readonly #onWake = (): void => {
    this.activity.input();
    this.display.wake();
  };

  readonly #onPage = (message: PageToShell, generation: number): void => {
    if (message.type === 'local.shown') {
      this.#o.logger.info({ page: generation, home: message.home }, 'page shows content');
      // A page that just loaded has no visitor yet; it says so when it gets one.
      this.activity.pageInUse(false);
    } else if (message.type === 'local.in-use') {
      this.activity.pageInUse(message.inUse);
    }
  };

  readonly #onPages = (connected: number): void => {
    if (connected === 0) this.activity.pageInUse(false);
  };

  #sendStatus(): void {
    const { config, relay, shell, version } = this.#o;
    const status: StatusFrame = {
      type: 'kiosk.status',
      kiosk: config.kioskId,
      version,
      uptimeSeconds: Math.round((this.#now() - this.#startedAt) / 1000),
      shell: shell.kind,
      renderer: this.#recovery.rendererState(),
      uplink: relay.upstream.state,
      uplinkConnects: relay.upstream.stats.connects,
      display: this.display.state,
      schedule: this.#scheduler.summary(),
      rendererMemoryMB: this.#memory.stats.rendererMB,
      inUse: this.activity.inUse,
      lastApiOkAt: this.#o.lastApiOkAt?.() ?? null,
      pages: relay.pages.connected,
      commands: this.#runner.stats,
      recoveries: this.#recovery.stats.total,
    };
    relay.upstream.send(status);
  }
}
