// The page's own share of the kiosk lockdown (the shell does the rest): no context menu,
// no zoom by pinch, ctrl+wheel or keyboard, no text selection or dragging, no browser
// shortcuts that open panels, print, save, or navigate away from the kiosk.

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Ctrl/Cmd + these: select all, zoom, print, save, open, find, view source, history, downloads, new window/tab, address bar. */
const COMMAND_KEYS = new Set(['a', '+', '=', '-', '_', '0', 'p', 's', 'o', 'f', 'g', 'u', 'h', 'j', 'd', 'n', 't', 'l', 'e', 'k', 'r', 'w', 'q', 'i']);
/** Help, find-next, caret browsing, address bar, menu, fullscreen, devtools, reload. */
const FUNCTION_KEYS = new Set(['F1', 'F3', 'F5', 'F6', 'F7', 'F10', 'F11', 'F12']);
const NAVIGATION_KEYS = new Set(['BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'BrowserSearch', 'ContextMenu']);

export function shouldBlockKey(event: KeyLike): boolean {
  if (FUNCTION_KEYS.has(event.key) || NAVIGATION_KEYS.has(event.key)) return true;
  if ((event.ctrlKey || event.metaKey) && COMMAND_KEYS.has(event.key.toLowerCase())) return true;
  // Alt+Left/Right are back/forward; Alt+Home is the home page.
  if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home')) return true;
  // Shift+F10 is the context menu.
  if (event.shiftKey && event.key === 'F10') return true;
  return false;
}

/** Installs the listeners; returns a function that removes them all. */
export function installLockdown(target: Window): () => void {
  const prevent = (event: Event) => event.preventDefault();
  const onKey = (event: KeyboardEvent) => {
    if (shouldBlockKey(event)) {
      event.preventDefault();
      event.stopPropagation();
    }
  };
  const onWheel = (event: WheelEvent) => {
    if (event.ctrlKey) event.preventDefault();
  };
  const onTouchMove = (event: TouchEvent) => {
    // Two fingers are a pinch: the page never zooms.
    if (event.touches.length > 1) event.preventDefault();
  };
  const active = { capture: true, passive: false } as const;
  const listeners: [string, EventListener, AddEventListenerOptions][] = [
    ['contextmenu', prevent, active],
    ['selectstart', prevent, active],
    ['dragstart', prevent, active],
    ['dragover', prevent, active],
    ['drop', prevent, active],
    ['gesturestart', prevent, active],
    ['gesturechange', prevent, active],
    ['gestureend', prevent, active],
    ['auxclick', prevent, active],
    ['keydown', onKey as EventListener, active],
    ['wheel', onWheel as EventListener, active],
    ['touchmove', onTouchMove as EventListener, active],
  ];
  for (const [type, listener, options] of listeners) target.addEventListener(type, listener, options);
  return () => {
    for (const [type, listener, options] of listeners) target.removeEventListener(type, listener, options);
  };
}
