// The screen a kiosk shows when it cannot start (a missing or broken config, an
// unreadable token file): better than a blank one, and it tells staff what to fix. A
// self-contained data: URL, so it needs no server; no secret is ever part of it.
export function diagnosticPageUrl(title: string, lines: readonly string[]): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html =
    '<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>kiosk-shell</title>' +
    '<body style="margin:0;background:#0b1f3a;color:#f5f1e6;font:24px system-ui,sans-serif;padding:6vh 6vw"><main>' +
    `<h1 style="color:#e8b64c">${escape(title)}</h1><ul>${lines.map((l) => `<li><code>${escape(l)}</code></li>`).join('')}</ul>` +
    '<p>Fix the configuration and restart the kiosk. <code>kiosk-shell check-config</code> lists every problem; ' +
    '<code>kiosk-shell doctor</code> checks the upstreams too.</p></main></body></html>';
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
