// What the command runner must not forget across page reloads and process restarts: every
// command id it has seen, where that command is, and its terminal ack — so a resent id is
// answered with the ack it already earned instead of being run again, and an ack that
// could not be sent while the uplink was down goes out once it is back. Also when the
// kiosk last reloaded for a reset (the reload interval spans restarts too).
//
// Bounded (the oldest entries go first, those whose ack was sent before the rest) and
// saved at most every `saveDelayMs`: a flood of commands costs one write per interval,
// not one per command. flush() saves at once (before a restart, at shutdown).
import type { AckFrame, WaitingFor } from '../protocol/upstream.ts';
import { readStateFile, saveStateFile } from './state-file.ts';

export type EntryState = 'waiting' | 'running' | 'done';

export interface JournalEntry {
  id: string;
  command: string;
  /** Epoch ms (the wall clock, so that `ms` holds across a restart). */
  receivedAt: number;
  state: EntryState;
  waitingFor?: WaitingFor;
  /** The terminal ack, once there is one. */
  ack?: AckFrame;
  /** Whether the terminal ack went out on a live uplink. */
  ackSent: boolean;
  /** The kiosk's own command (the schedule's): nobody upstream is owed an ack. */
  local?: true;
}

export interface CommandJournalOptions {
  limit?: number;
  saveDelayMs?: number;
  onSaveError?: (error: unknown) => void;
}

const DEFAULT_LIMIT = 500;

export class CommandJournal {
  readonly #file: string | undefined;
  readonly #limit: number;
  readonly #saveDelayMs: number;
  readonly #onSaveError: ((error: unknown) => void) | undefined;
  readonly #entries = new Map<string, JournalEntry>();
  #lastReloadAt: number | undefined;
  #saveTimer: NodeJS.Timeout | undefined;

  /** `file` undefined keeps the journal in this process only (tests, no state dir). */
  constructor(file: string | undefined, { limit = DEFAULT_LIMIT, saveDelayMs = 200, onSaveError }: CommandJournalOptions = {}) {
    this.#file = file;
    this.#limit = limit;
    this.#saveDelayMs = saveDelayMs;
    this.#onSaveError = onSaveError;
    const saved = file === undefined ? undefined : readStateFile(file);
    const { entries, lastReloadAt } = (saved ?? {}) as { entries?: unknown; lastReloadAt?: unknown };
    if (Array.isArray(entries)) for (const entry of entries.slice(-limit)) if (isEntry(entry)) this.#entries.set(entry.id, entry);
    this.#lastReloadAt = typeof lastReloadAt === 'number' && Number.isFinite(lastReloadAt) ? lastReloadAt : undefined;
  }

  get(id: string): Readonly<JournalEntry> | undefined {
    return this.#entries.get(id);
  }

  /** Entries that were under way when the process last stopped (read at start). */
  unfinished(): readonly Readonly<JournalEntry>[] {
    return [...this.#entries.values()].filter((entry) => entry.state !== 'done');
  }

  /** Terminal acks owed upstream and not yet sent on a live uplink, oldest first. */
  unsent(): readonly Readonly<JournalEntry>[] {
    return [...this.#entries.values()].filter((entry) => entry.ack !== undefined && !entry.ackSent && entry.local !== true);
  }

  /** A command seen for the first time. */
  received(id: string, command: string, receivedAt: number, { local = false }: { local?: boolean } = {}): void {
    this.#entries.set(id, { id, command, receivedAt, state: 'running', ackSent: false, ...(local ? { local: true as const } : {}) });
    this.#trim();
    this.#changed();
  }

  waiting(id: string, waitingFor: WaitingFor): void {
    this.#update(id, { state: 'waiting', waitingFor });
  }

  running(id: string): void {
    this.#update(id, { state: 'running' });
  }

  /** The command ended; its ack is what a resent id gets from now on. */
  finished(id: string, ack: AckFrame): void {
    this.#update(id, { state: 'done', ack, ackSent: false });
  }

  sent(id: string): void {
    this.#update(id, { ackSent: true });
  }

  /** Rewrites an unsent terminal ack (one whose premise was lost with the process). */
  amend(id: string, ack: AckFrame): void {
    this.#update(id, { ack });
  }

  get lastReloadAt(): number | undefined {
    return this.#lastReloadAt;
  }

  set lastReloadAt(at: number | undefined) {
    this.#lastReloadAt = at;
    this.#changed();
  }

  /** Saves now (before the process goes away). */
  flush(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    if (this.#file === undefined) return;
    saveStateFile(this.#file, { entries: [...this.#entries.values()], lastReloadAt: this.#lastReloadAt }, this.#onSaveError);
  }

  #update(id: string, change: Partial<JournalEntry>): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    Object.assign(entry, change);
    if (change.state !== undefined && change.state !== 'waiting') delete entry.waitingFor;
    this.#changed();
  }

  #trim(): void {
    let excess = this.#entries.size - this.#limit;
    if (excess <= 0) return;
    // Forget answered commands first; an unsent ack goes only when nothing else can.
    for (const pass of [(e: JournalEntry) => e.state === 'done' && e.ackSent, () => true]) {
      for (const [id, entry] of this.#entries) {
        if (excess <= 0) return;
        if (!pass(entry)) continue;
        this.#entries.delete(id);
        excess--;
      }
    }
  }

  #changed(): void {
    if (this.#file === undefined || this.#saveTimer !== undefined) return;
    this.#saveTimer = setTimeout(() => this.flush(), this.#saveDelayMs);
    this.#saveTimer.unref();
  }
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<JournalEntry>;
  return (
    typeof e.id === 'string' &&
    typeof e.command === 'string' &&
    typeof e.receivedAt === 'number' &&
    (e.state === 'waiting' || e.state === 'running' || e.state === 'done') &&
    typeof e.ackSent === 'boolean' &&
    (e.ack === undefined || (typeof e.ack === 'object' && e.ack !== null && (e.ack as { type?: unknown }).type === 'kiosk.ack'))
  );
}
