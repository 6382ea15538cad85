// The kiosk page's Content Security Policy, in one place: the local server sends it on
// every response, and the Electron shell enforces it again at the session level. The page
// may load only from its own origin and connect only to its own origin's /ws.
export function contentSecurityPolicy(origin: string): string {
  const wsOrigin = origin.replace(/^http:/, 'ws:');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${wsOrigin}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
