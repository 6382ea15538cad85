// The one owner of the command loop: receive → targeting, expiry, dedupe with the stored
// result, reload interval, stagger, `when: idle` with its deadline, screenshot privacy →
// run through the Shell → exactly one terminal ack. A reset (kiosk.reset, or a legacy
// one) is the command `reset`.
//
// Every command with an id ends in one terminal ack, kept in the journal: a resent id gets
// it again instead of a second run, and an ack that could not go out while the uplink was
// down goes out when it is back (after the hello). A command that will not be done within
// a second is answered `accepted` at once (with what it waits for, if it waits).
import { KioskError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { PageToShell } from '../protocol/page.ts';
import { type AckFrame, type AckStatus, type Command, MAX_REASON_CHARS, type ScreenshotFrame, type TerminalStatus, type WaitingFor } from '../protocol/upstream.ts';
import type { IncomingCommand, PagesPort, UpstreamPort } from '../server/relay.ts';
import type { Activity } from './activity.ts';
import type { CommandJournal } from './command-journal.ts';
import { decideCommand, reloadTooSoon, type CommandPolicyOptions } from './command-policy.ts';
import { darkFrame } from './dark-frame.ts';
import type { Display } from './display.ts';
import type { Shell } from './shell.ts';

export interface CommandRunnerOptions {
  upstream: UpstreamPort;
  pages: PagesPort;
  shell: Shell;
  display: Display;
  activity: Activity;
  journal: CommandJournal;
  policy: CommandPolicyOptions;
  /** How long without input (and the page not in use) counts as idle for `when: idle`. */
  idleMs: number;
  screenshot: { privacyMs: number; maxBytes: number };
  logger: Logger;
  /** Upstream free text (a reason) as it may appear in a log line. */
  logText?: (text: string) => string;
  /** A restart is about to relaunch the shell, with why (for the recovery budget and the log). */
  onRelaunch?: (reason: string) => void;
  /** How long a reloaded page has to show content before the command has failed. */
  shownTimeoutMs?: number;
  /** How long the page has to answer local.home before the shell reloads it home instead. */
  homeTimeoutMs?: number;
  /** A command still running after this long is answered `accepted`. */
  acceptAfterMs?: number;
  now?: () => number;
  random?: () => number;
}

type Outcome = { status: TerminalStatus; reason?: string };

export type CommandStats = { received: number; repeats: number; refused: number } & Record<TerminalStatus, number>;

/** How many screenshot frames are kept for a resend (a lost ack, an uplink that dropped). */
const KEPT_SCREENSHOTS = 3;
/** The commands that change what the window shows; they run one at a time. */
const EXCLUSIVE = new Set<Command['name']>(['reset', 'home', 'clear-session', 'restart']);

/** A command that ends before it ran (it expired while waiting, its page never showed). */
class Ended extends Error {
  readonly outcome: Outcome;

  constructor(outcome: Outcome) {
    super(outcome.status);
    this.outcome = outcome;
  }
}

export class CommandRunner {
  readonly #o: Required<Omit<CommandRunnerOptions, 'logText' | 'onRelaunch'>> & Pick<CommandRunnerOptions, 'logText' | 'onRelaunch'>;
  readonly #inFlight = new Set<AbortController>();
  readonly #shownWaiters = new Set<{ after: number; resolve: () => void }>();
  readonly #doneWaiters = new Map<string, () => void>();
  readonly #screenshots = new Map<string, ScreenshotFrame>();
  readonly #stats: CommandStats = { received: 0, repeats: 0, refused: 0, reloaded: 0, done: 0, ignored: 0, failed: 0, expired: 0, withheld: 0 };
  #exclusive: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: CommandRunnerOptions) {
    this.#o = {
      shownTimeoutMs: 30_000,
      homeTimeoutMs: 5_000,
      acceptAfterMs: 1_000,
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  get stats(): CommandStats {
    return { ...this.#stats };
  }

  start(): void {
    const { upstream, pages } = this.#o;
    upstream.on('command', this.#onCommand);
    upstream.on('state', this.#onUplink);
    pages.on('message', this.#onPage);
    this.#resumeUnfinished();
    if (upstream.state === 'open') this.#flush();
  }

  stop(): void {
    this.#stopped = true;
    const { upstream, pages, journal } = this.#o;
    upstream.off('command', this.#onCommand);
    upstream.off('state', this.#onUplink);
    pages.off('message', this.#onPage);
    // What was under way stays in the journal as unfinished; the next start answers it.
    for (const controller of this.#inFlight) controller.abort();
    journal.flush();
  }

  /**
   * Runs one of the kiosk's own commands (the schedule's restart) through the same loop: the
   * journal keeps its id (once is once, across restarts too), it waits like any other, and
   * it runs one at a time with the upstream's; only no ack goes upstream for it.
   */
  runLocal(command: Command & { id: string }): void {
    if (this.#stopped) return;
    const { journal } = this.#o;
    if (journal.get(command.id) !== undefined) return;
    const now = this.#o.now();
    journal.received(command.id, command.name, now, { local: true });
    this.#o.logger.info({ commandId: command.id, command: command.name, when: command.when }, 'kiosk command');
    void this.#run(command, now, 0);
  }

  readonly #onCommand = (incoming: IncomingCommand): void => {
    if (this.#stopped) return;
    const { journal, logger } = this.#o;
    const now = this.#o.now();
    this.#stats.received++;
    if (incoming.kind === 'refused') {
      if (journal.get(incoming.id) !== undefined) return this.#repeat(incoming.id);
      this.#stats.refused++;
      logger.warn({ commandId: incoming.id, command: incoming.command, reason: incoming.reason }, 'command refused');
      journal.received(incoming.id, incoming.command ?? 'unknown', now);
      this.#finish(incoming.id, { status: 'failed', reason: incoming.reason });
      return;
    }
    const { command } = incoming;
    const decision = decideCommand(command, this.#o.policy, {
      now,
      seen: (id) => journal.get(id) !== undefined,
      lastReloadAt: journal.lastReloadAt,
      random: this.#o.random,
    });
    // The upstream's free text: scrubbed of every secret form and cut before it reaches a log.
    const reason = command.reason === undefined ? undefined : (this.#o.logText?.(command.reason) ?? '(not logged)');
    if (decision.action === 'repeat') return this.#repeat(command.id ?? '');
    if (command.id !== null) journal.received(command.id, command.name, now);
    if (decision.action === 'answer') {
      logger.info({ commandId: command.id, command: command.name, status: decision.status, why: decision.reason }, 'command answered');
      this.#finish(command.id, { status: decision.status, ...(decision.reason === undefined ? {} : { reason: decision.reason }) });
      return;
    }
    logger.info({ commandId: command.id, command: command.name, when: command.when, reason }, 'command received');
    void this.#run(command, now, decision.staggerMs);
  };

  readonly #onUplink = (state: string): void => {
    if (state === 'open') this.#flush();
  };

  readonly #onPage = (message: PageToShell, generation: number): void => {
    if (message.type === 'local.shown') {
      for (const waiter of this.#shownWaiters) if (generation > waiter.after) waiter.resolve();
    } else if (message.type === 'local.done') {
      this.#doneWaiters.get(message.id)?.();
    }
  };

  async #run(command: Command, receivedAt: number, staggerMs: number): Promise<void> {
    const { journal, activity, logger } = this.#o;
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const { id } = command;
    let waited = false;
    // Not done within a second: say it was accepted (a wait says so at once, below).
    const accepted = setTimeout(() => {
      if (!waited) this.#interim(command, receivedAt);
    }, this.#o.acceptAfterMs);
    const waitFor = async (what: WaitingFor, until: Promise<void>, onExpiry: Outcome = { status: 'expired' }) => {
      waited = true;
      if (id !== null) journal.waiting(id, what);
      this.#interim(command, receivedAt, what);
      await this.#race(until, command.expiresAt, onExpiry, controller.signal);
      if (id !== null) journal.running(id);
    };
    try {
      if (staggerMs > 0) await waitFor('stagger', sleep(staggerMs, controller.signal));
      if (command.when === 'idle' && !activity.idleFor(this.#o.idleMs)) {
        const deadline = command.deadline === undefined ? undefined : sleep(Math.max(0, command.deadline - this.#o.now()), controller.signal);
        const idle = activity.wait(this.#o.idleMs, { page: true, signal: controller.signal });
        await waitFor('idle', deadline === undefined ? idle : Promise.race([idle, deadline]));
      }
      if (command.name === 'screenshot' && !activity.quietFor(this.#o.screenshot.privacyMs)) {
        await waitFor('privacy', activity.wait(this.#o.screenshot.privacyMs, { page: false, signal: controller.signal }), {
          status: 'withheld',
          reason: 'in-use',
        });
      }
      const outcome = EXCLUSIVE.has(command.name) ? await this.#oneAtATime(() => this.#execute(command)) : await this.#execute(command);
      this.#finish(id, outcome, receivedAt);
    } catch (error) {
      if (controller.signal.aborted && this.#stopped) return;
      const outcome = outcomeOf(error);
      if (outcome.status === 'failed') logger.warn({ commandId: id, command: command.name, err: error }, 'command failed');
      this.#finish(id, outcome, receivedAt);
    } finally {
      clearTimeout(accepted);
      this.#inFlight.delete(controller);
    }
  }

  async #execute(command: Command): Promise<Outcome> {
    const { shell, pages, journal } = this.#o;
    const reloaded = async (start: () => Promise<void>) => {
      const shown = this.#shownAfter(pages.generation);
      try {
        await start();
        await shown.promise;
      } finally {
        shown.cancel();
      }
    };
    switch (command.name) {
      case 'reset': {
        // Decided when it arrived; checked again now that the reload would really start.
        const now = this.#o.now();
        if (reloadTooSoon(now, journal.lastReloadAt, this.#o.policy.minIntervalMs)) return { status: 'ignored', reason: 'too-soon' };
        await reloaded(async () => {
          await shell.reload();
          // Counted once the reload really started (a shell with nothing to reload did not).
          journal.lastReloadAt = now;
        });
        return { status: 'reloaded' };
      }
      case 'clear-session':
        await reloaded(() => shell.clearSession(command.id ?? 'clear-session'));
        return { status: 'done' };
      case 'home': {
        const id = command.id ?? 'home';
        const answered = this.#pageDone(id);
        try {
          await shell.home(id);
          await answered.promise;
        } catch (error) {
          if (!(error instanceof KioskError && error.code === 'E_SHELL_ACTION' && error.message === 'page-silent')) throw error;
          // The page did not answer (hung, or it has no home of its own): a reload lands home.
          this.#o.logger.warn({ commandId: command.id }, 'home: the page did not answer; reloading it');
          await reloaded(() => shell.reload());
        } finally {
          answered.cancel();
        }
        return { status: 'done' };
      }
      case 'restart':
        // Counted like any relaunch (a budget spent by restarts cannot be spent by a loop).
        this.#o.onRelaunch?.(command.id !== null && journal.get(command.id)?.local === true ? 'scheduled restart' : 'restart command');
        // The shell may take this process with it: what the journal knows must be on disk.
        journal.flush();
        await reloaded(() => shell.relaunch());
        return { status: 'done' };
      case 'screenshot': {
        const { maxBytes } = this.#o.screenshot;
        // `data` is base64: 4 characters for every 3 bytes of JPEG.
        const darkBefore = this.#o.display.power === 'off';
        const captured = await shell.screenshot({ maxWidth: command.args.maxWidth, maxBytes: Math.floor(maxBytes / 4) * 3 });
        // A dark screen shows nothing, whatever the page's document holds (a page cannot
        // undo the cover in what the admin sees): the capture only gives the size.
        const dark = darkBefore || this.#o.display.power === 'off';
        const shot = dark ? { ...captured, jpeg: darkFrame(captured.width, captured.height) } : captured;
        if (command.id !== null) {
          const frame: ScreenshotFrame = {
            type: 'kiosk.screenshot',
            id: command.id,
            kiosk: this.#o.policy.kioskId,
            mime: 'image/jpeg',
            width: shot.width,
            height: shot.height,
            takenAt: shot.takenAt.toISOString(),
            data: shot.jpeg.toString('base64'),
          };
          this.#screenshots.set(command.id, frame);
          for (const old of this.#screenshots.keys()) if (this.#screenshots.size > KEPT_SCREENSHOTS) this.#screenshots.delete(old);
          this.#o.upstream.send(frame);
        }
        return { status: 'done' };
      }
      case 'display':
        await this.#o.display.command(command.args.power);
        return { status: 'done' };
    }
  }

  /** Resolves once a page that connected after `after` shows content; fails after shownTimeoutMs. */
  #shownAfter(after: number): { promise: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const promise = new Promise<void>((resolve, reject) => {
      const waiter = {
        after,
        resolve: () => {
          cancel();
          resolve();
        },
      };
      const timer = setTimeout(() => {
        cancel();
        reject(new Ended({ status: 'failed', reason: 'not-shown' }));
      }, this.#o.shownTimeoutMs);
      cancel = () => {
        clearTimeout(timer);
        this.#shownWaiters.delete(waiter);
      };
      this.#shownWaiters.add(waiter);
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => cancel() };
  }

  /** Resolves once the page answers local.done `id`; fails with page-silent after homeTimeoutMs. */
  #pageDone(id: string): { promise: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const promise = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cancel();
        reject(new KioskError('E_SHELL_ACTION', 'page-silent'));
      }, this.#o.homeTimeoutMs);
      cancel = () => {
        clearTimeout(timer);
        this.#doneWaiters.delete(id);
      };
      this.#doneWaiters.set(id, () => {
        cancel();
        resolve();
      });
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => cancel() };
  }

  /** Waits for `until`, unless the command expires first (then it ends with `onExpiry`). */
  async #race(until: Promise<void>, expiresAt: number | undefined, onExpiry: Outcome, signal: AbortSignal): Promise<void> {
    if (expiresAt === undefined) return until;
    const expiry = sleep(Math.max(0, expiresAt - this.#o.now()), signal).then(() => {
      throw new Ended(onExpiry);
    });
    expiry.catch(() => undefined);
    return Promise.race([until, expiry]);
  }

  #oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#exclusive.then(run, run);
    this.#exclusive = next.catch(() => undefined);
    return next;
  }

  #interim(command: Command, receivedAt: number, waitingFor?: WaitingFor): void {
    if (command.id === null) return;
    const entry = this.#o.journal.get(command.id);
    if (entry?.state === 'done' || entry?.local === true) return;
    this.#o.upstream.send(this.#ack(command.id, command.name, 'accepted', receivedAt, waitingFor === undefined ? {} : { waitingFor }));
  }

  /** Ends a command: its one terminal ack, journaled first, then sent if the uplink is up. */
  #finish(id: string | null, outcome: Outcome, receivedAt = this.#o.now()): void {
    this.#stats[outcome.status]++;
    if (id === null) {
      this.#o.logger.info({ status: outcome.status, reason: outcome.reason }, 'legacy reset done');
      return;
    }
    const { journal } = this.#o;
    const entry = journal.get(id);
    // However a reason was made, it fits the ack's schema (and the journal stays small).
    const reason = outcome.reason === undefined ? {} : { reason: outcome.reason.slice(0, MAX_REASON_CHARS) };
    const ack = this.#ack(id, entry?.command ?? 'unknown', outcome.status, receivedAt, reason);
    this.#o.logger.info({ commandId: id, command: ack.command, status: ack.status, reason: ack.reason, ms: ack.ms }, 'command done');
    journal.finished(id, ack);
    // The kiosk's own command: nobody upstream asked, nobody is owed an ack.
    if (entry?.local === true) return;
    if (this.#o.upstream.send(ack)) journal.sent(id);
  }

  #ack(id: string, command: string, status: AckStatus, receivedAt: number, extra: Partial<AckFrame>): AckFrame {
    const ms = Math.max(0, Math.round(this.#o.now() - receivedAt));
    return { type: 'kiosk.ack', id, kiosk: this.#o.policy.kioskId, command, status, ms, ...extra };
  }

  /** A resent id: what it earned the first time, or that it is still under way. */
  #repeat(id: string): void {
    this.#stats.repeats++;
    const { journal, upstream } = this.#o;
    const entry = journal.get(id);
    if (entry === undefined) return;
    if (entry.ack === undefined) {
      const waitingFor = entry.waitingFor === undefined ? {} : { waitingFor: entry.waitingFor };
      upstream.send(this.#ack(id, entry.command, 'accepted', entry.receivedAt, waitingFor));
      return;
    }
    const screenshot = this.#screenshots.get(id);
    if (screenshot !== undefined && entry.ack.status === 'done') upstream.send(screenshot);
    if (upstream.send(entry.ack)) journal.sent(id);
  }

  /** The uplink is (back) up: every terminal ack not yet sent, oldest first. */
  #flush(): void {
    const { journal, upstream } = this.#o;
    for (const entry of journal.unsent()) {
      let ack = entry.ack;
      if (ack === undefined) continue;
      if (ack.command === 'screenshot' && ack.status === 'done') {
        const screenshot = this.#screenshots.get(entry.id);
        if (screenshot === undefined) {
          // The image went with the process that took it: say so rather than "done" without one.
          ack = { ...ack, status: 'failed', reason: 'screenshot-lost' };
          journal.amend(entry.id, ack);
        } else if (!upstream.send(screenshot)) return;
      }
      if (!upstream.send(ack)) return;
      journal.sent(entry.id);
    }
  }

  /** Commands under way when the process last stopped: a restart finishes now; the rest were cut short. */
  #resumeUnfinished(): void {
    for (const entry of this.#o.journal.unfinished()) {
      if (entry.command === 'restart' && entry.state === 'running') {
        const shown = this.#shownAfter(0);
        shown.promise.then(
          () => this.#finish(entry.id, { status: 'done' }, entry.receivedAt),
          (error: unknown) => this.#finish(entry.id, outcomeOf(error), entry.receivedAt),
        );
        continue;
      }
      this.#finish(entry.id, { status: 'failed', reason: 'interrupted' }, entry.receivedAt);
    }
  }
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof Ended) return error.outcome;
  if (error instanceof KioskError) {
    if (error.code === 'E_NO_WINDOW') return { status: 'ignored', reason: 'no-window' };
    if (error.code === 'E_SHELL_ACTION') return { status: 'failed', reason: error.message.slice(0, 200) };
  }
  return { status: 'failed', reason: 'error' };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, 2 ** 31 - 1));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
