// What the reset policy must not forget across page reloads and process restarts: the
// reset ids already acted on, and when the kiosk last reloaded for a reset.
import { readStateFile, saveStateFile } from './state-file.ts';

const DEFAULT_LIMIT = 500;

export class ResetMemory {
  readonly #file: string | undefined;
  readonly #limit: number;
  readonly #ids: string[];
  #lastReloadAt: number | undefined;

  readonly #onSaveError: ((error: unknown) => void) | undefined;

  /** `file` undefined keeps the memory in this process only (tests, no state dir). */
  constructor(file: string | undefined, { limit = DEFAULT_LIMIT, onSaveError }: { limit?: number; onSaveError?: (error: unknown) => void } = {}) {
    this.#file = file;
    this.#limit = limit;
    this.#onSaveError = onSaveError;
    const saved = file === undefined ? undefined : readStateFile(file);
    const { ids, lastReloadAt } = (saved ?? {}) as { ids?: unknown; lastReloadAt?: unknown };
    this.#ids = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').slice(-limit) : [];
    this.#lastReloadAt = typeof lastReloadAt === 'number' && Number.isFinite(lastReloadAt) ? lastReloadAt : undefined;
  }

  has(id: string): boolean {
    return this.#ids.includes(id);
  }

  /** Remembers an id; the oldest are forgotten beyond the limit. */
  remember(id: string): void {
    if (this.has(id)) return;
    this.#ids.push(id);
    if (this.#ids.length > this.#limit) this.#ids.splice(0, this.#ids.length - this.#limit);
    this.#save();
  }

  /** When the kiosk last reloaded for a reset; undefined when it never did. */
  get lastReloadAt(): number | undefined {
    return this.#lastReloadAt;
  }

  set lastReloadAt(at: number | undefined) {
    this.#lastReloadAt = at;
    this.#save();
  }

  #save(): void {
    if (this.#file === undefined) return;
    saveStateFile(this.#file, { ids: this.#ids, lastReloadAt: this.#lastReloadAt }, this.#onSaveError);
  }
}
