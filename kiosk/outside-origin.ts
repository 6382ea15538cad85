// The Chromium shell's request filter: which URLs it aborts. A RegExp and not a function,
// on purpose: playwright-core evaluates a RegExp route in its own server part and hands the
// shell only the requests that match, while a function route makes it intercept every
// request and keep a Route, a Request and a Response object of each in the kiosk process
// (until its 10,000-per-kind trim): some 17 KiB per request, the kiosk's own loads included,
// hundreds of MiB over a kiosk's weeks of resets (bench kiosk-soak).

/**
 * The URLs outside `origin` (an `http(s)://host[:port]` origin), data: and blob: excepted.
 * The opaque origin `'null'` (the diagnostic screen: a data: page, no server) has no URL of
 * its own: everything but data: and blob: is outside it.
 */
export function outsideOrigin(origin: string): RegExp {
  if (origin === 'null') return /^(?!data:|blob:)/i;
  const canonical = new URL(origin).origin;
  if (canonical === 'null' || canonical !== origin) throw new Error(`not a canonical http(s) origin: ${origin}`);
  const escaped = canonical.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // Every URL of the origin serializes as ORIGIN followed by "/" (its path is never empty).
  return new RegExp(`^(?!${escaped}/|data:|blob:)`, 'i');
}
