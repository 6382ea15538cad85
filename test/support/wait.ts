// Waiting on conditions without sleeping for a guessed time: re-check often, give up late.
import { channel } from 'node:diagnostics_channel';
import type { Server } from 'node:http';

/**
 * Resolves once `predicate` holds (sync or async), re-checked every `intervalMs`; rejects
 * after `timeoutMs` naming `what`. The timeout is a ceiling for a stuck test, not a
 * measure of speed: keep it generous.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 10, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Node's own diagnostics channel reports every HTTP request with the server that took it;
 * this hands back the http.Server behind `port` once any request reached it, without
 * reaching into the code under test.
 */
export function httpServerProbe(): { serverOn(port: number): Server | undefined; stop(): void } {
  const servers = new Set<Server>();
  const onRequest = (message: unknown) => {
    const server = (message as { server?: Server }).server;
    if (server !== undefined) servers.add(server);
  };
  const requestStart = channel('http.server.request.start');
  requestStart.subscribe(onRequest);
  return {
    serverOn(port) {
      for (const server of servers) {
        const address = server.address();
        if (typeof address === 'object' && address?.port === port) return server;
      }
      return undefined;
    },
    stop() {
      requestStart.unsubscribe(onRequest);
    },
  };
}

/** Total listeners over every event of an emitter. */
export function listenerTotal(emitter: NodeJS.EventEmitter): number {
  return emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0);
}

/** Resolves with the number of open connections of a server. */
export function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
