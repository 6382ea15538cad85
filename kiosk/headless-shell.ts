// The shell of `kiosk-shell serve`: no window. A reset asks the connected pages to reload
// themselves over /ws; there is nothing to recover.
import { EventEmitter } from 'node:events';
import type { Relay } from '../server/relay.ts';
import type { Shell, ShellEvents } from './shell.ts';

export class HeadlessShell extends EventEmitter<ShellEvents> implements Shell {
  readonly kind = 'headless' as const;
  readonly hasWindow = false;
  readonly #relay: Relay;

  constructor(relay: Relay) {
    super();
    this.#relay = relay;
  }

  reload(): Promise<void> {
    this.#relay.tellPages({ type: 'local.reload', resetId: null });
    return Promise.resolve();
  }

  recreate(): Promise<void> {
    return this.reload();
  }

  relaunch(): Promise<void> {
    return this.reload();
  }

  rendererState(): undefined {
    return undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
