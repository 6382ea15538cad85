// Defence 7 against upstreams that echo a token back in the forms real software writes it
// (test/support/secret-echoes.ts): percent-encoded, JSON- or HTML-escaped, in base64 or
// inside a longer base64 blob. The test upstreams write each form of the token they were
// sent into a body, a header, a Content-Disposition filename*, a Location and a WebSocket
// frame; whatever the page receives, nothing in it lets the page's own decoders get the
// credential back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, Inbox, openPageSocket, pageHeaders, waitOpen, type HttpResult } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';
import { WsUpstream } from '../support/upstream-ws.ts';

const STYLES = {
  // Django REST framework's tokens: 40 hex digits.
  django: () => `Token ${randomBytes(20).toString('hex')}`,
  // A credential with the characters encoders change: + / =.
  base64: () => `Bearer ${randomBytes(12).toString('base64')}+/${randomBytes(13).toString('base64')}`,
};

function seen(result: HttpResult): string {
  return `${result.status} ${JSON.stringify(result.headers)}\n${result.body}`;
}

for (const [style, newToken] of Object.entries(STYLES)) {
  describe(`every echoed form of a ${style} token`, () => {
    let kiosk: TestKiosk;
    const apiToken = newToken();
    const wsToken = newToken();
    const tokens = [apiToken, wsToken];

    beforeAll(async () => {
      const ws = await new WsUpstream({ token: wsToken }).start();
      kiosk = await startTestKiosk({ upstream: { api: { token: apiToken } } }, { ws }, { scrubLogs: false });
      await ws.waitFor(() => ws.connections.length === 1, 10_000, 'uplink');
    });
    afterAll(() => kiosk.close());

    const leaks = (text: string) => tokens.filter((token) => recoverable(text, token));

    it('is kept from the page in an API body, header, Content-Disposition and Location', async () => {
      const echoes = echoesOf(apiToken);
      expect(echoes.length).toBeGreaterThan(30);
      for (const [index, echo] of echoes.entries()) {
        for (const where of ['body', 'json', 'header', 'disposition', 'location']) {
          const result = await httpRequest(kiosk.server.port, { path: `/api/echo-form/?form=${index}&in=${where}`, headers: pageHeaders(kiosk.server) });
          // The upstream really sent it (it saw the token), and the page still got an answer.
          expect(kiosk.upstreamApi.requests.at(-1)?.headers.authorization).toBe(apiToken);
          expect(result.status, `${echo.name} in ${where}`).toBe(where === 'location' ? 302 : 200);
          expect(leaks(seen(result)), `${echo.name} in ${where}: ${seen(result).slice(0, 400)}`).toEqual([]);
          if (where === 'location') expect(result.headers.location).toBeUndefined();
          if (where === 'header') expect(result.headers['content-language']).toBeUndefined();
          if (where === 'disposition') expect(result.headers['content-disposition']).toBeUndefined();
          if (where === 'body' || where === 'json') expect(result.body).toContain('[redacted]');
        }
      }
    });

    it('is kept from the page in an API body when it is the uplink\'s token', async () => {
      for (const echo of echoesOf(wsToken)) {
        const result = await httpRequest(kiosk.server.port, {
          path: '/api/echo-body/',
          method: 'POST',
          headers: pageHeaders(kiosk.server, { origin: kiosk.server.origin, 'content-type': 'text/plain' }),
          body: `echo: ${echo.text}`,
        });
        expect(result.status).toBe(200);
        expect(leaks(seen(result)), echo.name).toEqual([]);
      }
    });

    it('is kept from the page in a WebSocket frame, whichever token it is', async () => {
      const page = openPageSocket(kiosk.server);
      const inbox = new Inbox(page);
      const frames: string[] = [];
      page.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
      await waitOpen(page);
      await inbox.next((m) => m.type === 'local.hello');
      const upstream = kiosk.upstreamWs;
      // The uplink token as the upstream received it in the handshake.
      expect(upstream.connections[0]?.headers.authorization).toBe(wsToken);
      const before = kiosk.server.status().relay.down.dropped['contains-secret'];
      let sent = 0;
      for (const token of tokens) {
        for (const echo of echoesOf(token)) {
          // As the upstream's JSON encoder writes it, and spliced in as it is.
          upstream.broadcast(JSON.stringify({ type: 'debug.echo', value: echo.text }));
          upstream.broadcast(`{"type":"debug.echo","raw":"${echo.text}"}`);
          sent += 2;
        }
      }
      upstream.broadcast(JSON.stringify({ type: 'marker.end' }));
      await inbox.next((m) => m.type === 'marker.end', 10_000);
      expect(frames.filter((frame) => leaks(frame).length > 0)).toEqual([]);
      // Each was dropped for its secret, not for some other reason (a spliced form that breaks the JSON is dropped as not-json).
      const { dropped } = kiosk.server.status().relay.down;
      expect(dropped['contains-secret'] - before + dropped['not-json']).toBe(sent);
      expect(dropped['contains-secret'] - before).toBeGreaterThan(sent * 0.9);
      page.close();
    });

    it('never reaches a log line either, with the logger\'s own scrubbing off', () => {
      expect(kiosk.log.lines.length).toBeGreaterThan(0);
      expect(kiosk.log.lines.filter((line) => leaks(line).length > 0)).toEqual([]);
    });
  });
}
