// Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential
// Backoff And Jitter"): each delay is uniform in [0, min(cap, base * 2^attempt)). The
// jitter is what keeps a fleet of kiosks from reconnecting in one wave after an outage.
// Written here rather than taken from a package: the retry libraries wrap promises,
// while an uplink needs only "how long until the next attempt".
export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(baseMs: number, capMs: number, random: () => number = Math.random) {
    this.#baseMs = baseMs;
    this.#capMs = capMs;
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const ceiling = Math.min(this.#capMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
