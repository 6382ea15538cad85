// The shell's agent inside the kiosk page's document: it runs in the shell's own world (a
// CDP isolated world on the Chromium shell, the preload on Electron) before any page
// script, so its capture-phase listeners on window see every event first. (Under `serve`,
// with no shell around the page, the page runs it itself and reports over /ws.) It
//   - reports real input (event.isTrusted: a person, not a script) to the shell, at most
//     twice a second, so privacy and `when: idle` rest on what the shell saw;
//   - while the display is off, covers the page with black (in the top layer) and
//     swallows every input event before the page can see it: the touch that wakes the
//     screen never presses a button. The gesture that woke it is swallowed to its end.
//
// installPageAgent is stringified for CDP: it must stay self-contained (no imports, no
// outer variables).
export type AgentReport = 'input' | 'wake';
export type AgentPower = 'on' | 'off';

export function installPageAgent(win: Window, report: (what: AgentReport) => void, initialPower: AgentPower): (power: AgentPower) => void {
  const doc = win.document;
  const STARTS = ['pointerdown', 'mousedown', 'touchstart', 'keydown', 'wheel'];
  const OTHERS = ['pointerup', 'pointermove', 'pointercancel', 'mouseup', 'mousemove', 'click', 'dblclick', 'auxclick', 'contextmenu', 'touchmove', 'touchend', 'touchcancel', 'keyup', 'keypress', 'beforeinput', 'input', 'dragstart', 'selectstart'];
  /** How long after the last swallowed event a woken screen lets input through again. */
  const GESTURE_END_MS = 600;
  const REPORT_EVERY_MS = 500;
  let off = initialPower === 'off';
  let swallowing = false;
  let gestureTimer: ReturnType<typeof setTimeout> | undefined;
  let lastReport = 0;
  let cover: HTMLElement | undefined;

  // Inline and !important: no rule of the page's can outrank them (only the style
  // attribute could, and a change to it replaces the cover).
  const COVER_STYLES: Record<string, string> = {
    position: 'fixed',
    inset: '0',
    width: '100vw',
    height: '100vh',
    'max-width': 'none',
    'max-height': 'none',
    margin: '0',
    padding: '0',
    border: '0',
    background: '#000',
    cursor: 'none',
    'z-index': '2147483647',
    display: 'block',
    opacity: '1',
    visibility: 'visible',
    'content-visibility': 'visible',
    transform: 'none',
    translate: 'none',
    scale: 'none',
    rotate: 'none',
    filter: 'none',
    'clip-path': 'none',
    mask: 'none',
    'mix-blend-mode': 'normal',
    'pointer-events': 'auto',
  };
  /** Raised back to the top of the top layer this often while off (a page's later dialog would sit above it). */
  const RAISE_EVERY_MS = 1_000;
  let raiseTimer: ReturnType<typeof setInterval> | undefined;

  const makeCover = (): HTMLElement => {
    // A plain div: a custom element's name could be defined by the page and run its code.
    const made = doc.createElement('div');
    for (const [name, value] of Object.entries(COVER_STYLES)) made.style.setProperty(name, value, 'important');
    made.setAttribute('aria-hidden', 'true');
    made.setAttribute('popover', 'manual');
    // Closed by the page (hidePopover): open again.
    made.addEventListener('toggle', () => {
      if (off && made === cover && !made.matches(':popover-open')) raise(made);
    });
    // Any attribute changed (its style, its popover): a fresh cover replaces it.
    new MutationObserver(() => {
      if (!off || made !== cover) return;
      cover = undefined;
      made.remove();
      showCover();
    }).observe(made, { attributes: true });
    return made;
  };
  const raise = (element: HTMLElement) => {
    // The top layer puts it above the page's own dialogs and fullscreen elements.
    try {
      if (element.matches(':popover-open')) element.hidePopover();
      element.showPopover();
    } catch {
      // No popover support: the z-index above still covers the page.
    }
  };
  const showCover = () => {
    const root = doc.documentElement;
    if (root === null) return;
    cover ??= makeCover();
    if (cover.parentNode !== root) root.appendChild(cover);
    if (!cover.matches(':popover-open')) raise(cover);
    raiseTimer ??= setInterval(() => {
      if (off && cover !== undefined) raise(cover);
    }, RAISE_EVERY_MS);
  };
  const hideCover = () => {
    clearInterval(raiseTimer);
    raiseTimer = undefined;
    const shown = cover;
    cover = undefined;
    if (shown === undefined) return;
    try {
      if (shown.matches(':popover-open')) shown.hidePopover();
    } catch {
      // not shown as a popover
    }
    shown.remove();
  };
  // A page that replaces or removes the cover does not bring its content back while off.
  new MutationObserver(() => {
    if (off && (cover === undefined || !cover.isConnected)) showCover();
  }).observe(doc, { childList: true, subtree: true });
  doc.addEventListener('DOMContentLoaded', () => {
    if (off) showCover();
  });

  const onEvent = (event: Event) => {
    if (!event.isTrusted) return;
    const starts = STARTS.includes(event.type);
    if (off || swallowing) {
      event.stopImmediatePropagation();
      event.preventDefault();
      if (starts) {
        swallowing = true;
        if (off) report('wake');
      }
      clearTimeout(gestureTimer);
      gestureTimer = setTimeout(() => {
        if (!off) swallowing = false;
      }, GESTURE_END_MS);
      return;
    }
    if (!starts) return;
    const now = Date.now();
    if (now - lastReport < REPORT_EVERY_MS) return;
    lastReport = now;
    report('input');
  };
  for (const type of [...STARTS, ...OTHERS]) win.addEventListener(type, onEvent, { capture: true, passive: false });

  const setPower = (power: AgentPower) => {
    off = power === 'off';
    if (off) {
      showCover();
      return;
    }
    hideCover();
    // Input keeps being swallowed until the gesture that woke the screen has ended.
    clearTimeout(gestureTimer);
    gestureTimer = setTimeout(() => {
      swallowing = false;
    }, GESTURE_END_MS);
  };
  if (off) showCover();
  return setPower;
}
