// The kiosk controller: between the relay (resets in, acks and status out, the page's
// signs of life) and the shell (reload, recreate, relaunch). Plain TypeScript: every
// shell drives the same controller, and it is tested without Electron.
import path from 'node:path';
import type { RuntimeConfig } from '../core/config/schema.ts';
import { rateLimitedLog, type Logger } from '../core/logger.ts';
import { Secrets, upstreamTextForLog } from '../core/secret-forms.ts';
import type { LocalMessage, ResetCommand } from '../server/messages.ts';
import type { Relay } from '../server/relay.ts';
import { PageWatchdog, type PageState } from './page-watchdog.ts';
import { RecoveryBudget, type FailureKind, type RecoveryStats } from './recovery-budget.ts';
import { ResetMemory } from './reset-memory.ts';
import { ResetPolicy, type ResetDecision } from './reset-policy.ts';
import type { Shell } from './shell.ts';

export type RendererState = PageState | 'crashed';
export type AckStatus = 'reloaded' | 'ignored' | 'failed';

export interface ControllerOptions {
  relay: Relay;
  shell: Shell;
  config: RuntimeConfig;
  version: string;
  logger: Logger;
  /** Where reset ids and recovery counters persist; undefined keeps them in memory. */
  stateDir: string | undefined;
  /** How long after a reload the page has to show content before the ack says "failed". */
  ackTimeoutMs?: number;
  watchdog?: { connectGraceMs?: number; heartbeatTimeoutMs?: number };
  recovery?: { baseDelayMs?: number; capDelayMs?: number };
  /** When the API last answered (from the server's API proxy), for kiosk.status. */
  lastApiOkAt?: () => string | null;
  now?: () => number;
  random?: () => number;
  /** The runtime's secrets, kept out of upstream text that is logged (by default the two tokens). */
  secrets?: Secrets;
}

type IgnoredWhy = Extract<ResetDecision, { action: 'ignore' }>['why'];

export interface ControllerStats {
  resets: Record<'received' | 'reloaded' | 'failed' | IgnoredWhy, number>;
  recovery: RecoveryStats;
}

interface PendingReload {
  id: string | null;
  receivedAt: number;
  /** Only a page that connected after this page number counts as the reloaded one. */
  afterPage: number;
  timer: NodeJS.Timeout;
}

export class KioskController {
  readonly #relay: Relay;
  readonly #shell: Shell;
  readonly #config: RuntimeConfig;
  readonly #version: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #ackTimeoutMs: number;
  readonly #policy: ResetPolicy;
  readonly #budget: RecoveryBudget;
  readonly #watchdog: PageWatchdog;
  readonly #startedAt: number;
  /** Pending one-shot timers (a reset's stagger, a recovery step's delay) and the periodic ones. */
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #lastApiOkAt: () => string | null;
  readonly #secrets: Secrets;
  readonly #resets: ControllerStats['resets'] = {
    received: 0,
    reloaded: 0,
    failed: 0,
    'not-targeted': 0,
    duplicate: 0,
    'too-soon': 0,
    busy: 0,
  };
  #pending: PendingReload | undefined;
  #recovering = false;
  #stopped = false;

  constructor(options: ControllerOptions) {
    const { config, stateDir } = options;
    this.#relay = options.relay;
    this.#shell = options.shell;
    this.#config = config;
    this.#version = options.version;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#lastApiOkAt = options.lastApiOkAt ?? (() => null);
    this.#secrets = options.secrets ?? new Secrets([config.upstream.ws.token, config.upstream.api.token]);
    this.#startedAt = this.#now();
    const stateFile = (name: string) => (stateDir === undefined ? undefined : path.join(stateDir, name));
    const warn = rateLimitedLog(this.#logger, { max: 3, windowMs: 3_600_000 });
    const saveFailed = (error: unknown) =>
      warn('state-not-saved', { dir: stateDir, code: (error as NodeJS.ErrnoException).code }, 'cannot save kiosk state (kept in memory only)');
    this.#policy = new ResetPolicy({
      kioskId: config.kioskId,
      groups: config.groups,
      minIntervalMs: config.reset.minIntervalSeconds * 1000,
      staggerMs: config.reset.staggerSeconds * 1000,
      memory: new ResetMemory(stateFile('resets.json'), { onSaveError: saveFailed }),
      now: this.#now,
      ...(options.random ? { random: options.random } : {}),
    });
    this.#budget = new RecoveryBudget({ file: stateFile('recovery.json'), onSaveError: saveFailed, now: this.#now, ...options.recovery });
    this.#watchdog = new PageWatchdog({ now: this.#now, ...options.watchdog });
  }

  get stats(): ControllerStats {
    return { resets: { ...this.#resets }, recovery: this.#budget.stats };
  }

  start(): void {
    this.#relay.on('reset', (reset) => this.#onReset(reset));
    this.#relay.on('local', (message, page) => this.#onLocal(message, page));
    this.#relay.on('page', (connected) => this.#watchdog.pages(connected));
    this.#shell.on('failure', (kind, detail) => this.#recover(kind, detail));
    if (this.#shell.hasWindow) {
      this.#watchdog.on('failure', (kind, detail) => this.#recover(kind, detail));
      this.#watchdog.loadStarted();
      this.#every(1000, () => this.#watchdog.check());
    }
    this.#every(this.#config.status.intervalSeconds * 1000, () => this.#sendStatus());
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (this.#pending) clearTimeout(this.#pending.timer);
  }

  rendererState(): RendererState {
    return this.#shell.rendererState() ?? this.#watchdog.state();
  }

  #onReset(reset: ResetCommand): void {
    const receivedAt = this.#now();
    this.#resets.received++;
    const decision = this.#policy.decide(reset);
    if (decision.action === 'ignore') {
      this.#resets[decision.why]++;
      this.#logger.info({ resetId: reset.id, why: decision.why }, 'reset ignored');
      if (decision.acknowledge) this.#ack(reset.id, 'ignored', 0);
      return;
    }
    if (!this.#shell.hasWindow && this.#relay.hub.stats.connected === 0) {
      // `serve` with no page attached: there is nothing to reload.
      this.#policy.finished();
      this.#resets.busy++;
      this.#ack(reset.id, 'ignored', 0);
      return;
    }
    const reason = reset.reason === undefined ? undefined : upstreamTextForLog(reset.reason, this.#secrets);
    this.#logger.info({ resetId: reset.id, delayMs: decision.delayMs, reason }, 'reset: reloading');
    this.#after(decision.delayMs, () => void this.#reloadFor(reset, receivedAt));
  }

  async #reloadFor(reset: ResetCommand, receivedAt: number): Promise<void> {
    if (this.#stopped) return;
    const pending: PendingReload = {
      id: reset.id,
      receivedAt,
      afterPage: this.#relay.pagesSeen,
      timer: setTimeout(() => this.#finishReload('failed'), this.#ackTimeoutMs),
    };
    this.#pending = pending;
    try {
      if (this.#shell.hasWindow) {
        this.#watchdog.loadStarted();
        await this.#shell.reload();
      } else {
        this.#relay.tellPages({ type: 'local.reload', resetId: reset.id });
      }
    } catch (error) {
      this.#logger.error({ err: error, resetId: reset.id }, 'reset: the reload failed');
      this.#finishReload('failed');
    }
  }

  #finishReload(status: 'reloaded' | 'failed'): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    this.#policy.finished();
    this.#resets[status]++;
    const ms = Math.max(0, Math.round(this.#now() - pending.receivedAt));
    this.#logger.info({ resetId: pending.id, status, ms }, 'reset done');
    this.#ack(pending.id, status, ms);
  }

  #ack(id: string | null, status: AckStatus, ms: number): void {
    // Legacy resets carry no id: there is nothing to acknowledge against.
    if (id === null) return;
    this.#relay.sendUp({ type: 'kiosk.ack', id, kiosk: this.#config.kioskId, status, ms });
  }

  #onLocal(message: LocalMessage, page: number): void {
    this.#watchdog.beat();
    if (message.type !== 'local.shown') return;
    this.#logger.info({ page, home: message.home }, 'page shows content');
    this.#budget.healthy();
    this.#recovering = false;
    if (this.#pending !== undefined && page > this.#pending.afterPage) this.#finishReload('reloaded');
  }

  #recover(kind: FailureKind, detail: string): void {
    if (this.#stopped || this.#recovering) return;
    const step = this.#budget.next(kind);
    this.#recovering = true;
    this.#logger.warn({ kind, detail, step, consecutive: this.#budget.stats.consecutive }, 'page failure: recovering');
    const act = async () => {
      this.#watchdog.loadStarted();
      // Until a page shows content again, the next failure report is the same fault.
      this.#recovering = false;
      if (step.action === 'reload') await this.#shell.reload();
      else if (step.action === 'recreate') await this.#shell.recreate();
      else await this.#shell.relaunch();
    };
    this.#after(step.action === 'relaunch' ? 0 : step.delayMs, () => {
      act().catch((error: unknown) => {
        this.#logger.error({ err: error, step }, 'recovery step failed');
        this.#recovering = false;
      });
    });
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #sendStatus(): void {
    this.#relay.sendUp({
      type: 'kiosk.status',
      kiosk: this.#config.kioskId,
      version: this.#version,
      uptimeSeconds: Math.round((this.#now() - this.#startedAt) / 1000),
      shell: this.#shell.kind,
      renderer: this.rendererState(),
      uplink: this.#relay.uplink.state,
      uplinkConnects: this.#relay.uplink.stats.connects,
      lastApiOkAt: this.#lastApiOkAt(),
      pages: this.#relay.hub.stats.connected,
      resets: { ...this.#resets },
      recoveries: this.#budget.stats.total,
    });
  }

  #every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}
