// Connection admission: which sockets the local server keeps when a local process without
// the key tries to hold them all (slowloris: connect, send a head slowly or not at all,
// reconnect the moment it is dropped). A connection cannot be known to be the page's
// before its request head arrives, so:
//   - a head must be complete within HEAD_TIMEOUT_MS (Node's headersTimeout; Node checks
//     it only every connectionsCheckingInterval, 30 s by default, which is why idle sockets
//     used to be held 25–30 s);
//   - connections that have not shown the key ("unproven": waiting for a head, idle
//     between public requests, or being served a public file) share one budget; a new
//     connection over it evicts the oldest unproven one — those waiting first, then those
//     being served — so a fresh connection (the page's) always gets in, and keeps its place
//     until `unproven` newer ones have arrived, far longer than its head takes;
//   - a connection that carried a request with the key (/api, /status) or opened /ws is
//     "proven": counted apart, up to its own limit, and never evicted for unproven ones.
// The page's own reload (GET /, assets) carries no key by contract; it competes as an
// unproven connection, and wins because it is the newest and sends its head at once.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A complete request head within this, or the connection is answered 408 and closed. */
export const HEAD_TIMEOUT_MS = 3000;
/** How often Node enforces HEAD_TIMEOUT_MS: a slow head is cut within 3.5 s. */
export const HEAD_CHECK_INTERVAL_MS = 500;

export interface AdmissionLimits {
  /**
   * Connections that have not shown the key. At least twice the listen backlog (511): the
   * connections accepted in one turn of the event loop cannot evict one that arrived the
   * turn before, before its head is read.
   */
  unproven: number;
  /** Connections that have: the page needs a handful (a browser opens 6 per host, plus /ws). */
  proven: number;
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = { unproven: 1024, proven: 64 };

export interface AdmissionStats {
  unproven: number;
  proven: number;
  /** Unproven connections closed to make room for a newer one. */
  evicted: number;
  /** Keyed requests or upgrades beyond the proven limit (served once and closed, or refused). */
  overProvenLimit: number;
}

export class Admission {
  readonly #limits: AdmissionLimits;
  /** Unproven, with no request in progress (no head yet, or idle after a public request); oldest first. */
  readonly #waiting = new Set<Duplex>();
  /** Unproven, with a public request in progress; oldest first. */
  readonly #serving = new Set<Duplex>();
  readonly #proven = new Set<Duplex>();
  #evicted = 0;
  #overProvenLimit = 0;

  constructor(limits: AdmissionLimits = DEFAULT_ADMISSION_LIMITS) {
    this.#limits = limits;
  }

  get stats(): AdmissionStats {
    return {
      unproven: this.#waiting.size + this.#serving.size,
      proven: this.#proven.size,
      evicted: this.#evicted,
      overProvenLimit: this.#overProvenLimit,
    };
  }

  /** A new connection: always admitted; the oldest unproven one makes room if the budget is full. */
  admit(socket: Duplex): void {
    this.#waiting.add(socket);
    socket.once('close', () => this.#forget(socket));
    while (this.#waiting.size + this.#serving.size > this.#limits.unproven) {
      const victim = first(this.#waiting) ?? first(this.#serving);
      if (victim === undefined || victim === socket) break;
      this.#forget(victim);
      this.#evicted++;
      victim.destroy();
    }
  }

  /**
   * A request head arrived; `keyed`: it passed the key check. A keyed request proves its
   * connection (beyond the proven limit it is served and its connection closed after).
   */
  request(socket: Duplex, res: ServerResponse, keyed: boolean): void {
    if (this.#proven.has(socket) || socket.destroyed) return;
    if (keyed && this.#prove(socket)) return;
    if (keyed) res.setHeader('connection', 'close');
    this.#waiting.delete(socket);
    this.#serving.add(socket);
    // Served: back among the waiting, as the newest (keep-alive until its next head). A
    // response that does not finish takes its connection with it (forgotten on close).
    res.once('finish', () => {
      if (!this.#serving.delete(socket) || socket.destroyed) return;
      this.#waiting.add(socket);
    });
  }

  /** A WebSocket upgrade the guard accepted: false when the proven limit is reached (refuse it). */
  upgrade(socket: Duplex): boolean {
    return this.#proven.has(socket) || this.#prove(socket);
  }

  #prove(socket: Duplex): boolean {
    if (this.#proven.size >= this.#limits.proven) {
      this.#overProvenLimit++;
      return false;
    }
    this.#waiting.delete(socket);
    this.#serving.delete(socket);
    this.#proven.add(socket);
    return true;
  }

  #forget(socket: Duplex): void {
    this.#waiting.delete(socket);
    this.#serving.delete(socket);
    this.#proven.delete(socket);
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}
