// Under `serve` no shell holds the browser, so the page runs the shell's agent itself
// (sdk/page-agent.ts): it reports the visitor's input over /ws and blanks the screen when
// told to. Installed first thing, before the UI adds listeners of its own. Under the other
// shells the shell's own agent runs first and this one only reports.
import type { DisplayPower } from '../../../protocol/page.ts';
import { installPageAgent } from '../../../sdk/page-agent.ts';

export interface PageAgent {
  setPower(power: DisplayPower): void;
  /** Calls `listener` on each report of input; returns the unsubscribe function. */
  onInput(listener: () => void): () => void;
}

export function startPageAgent(win: Window): PageAgent {
  const listeners = new Set<() => void>();
  const setPower = installPageAgent(win, () => listeners.forEach((listener) => listener()), 'on');
  return {
    setPower,
    onInput(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
