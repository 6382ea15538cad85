// Start-up as the CLI does it, with tokens given in the environment.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../kiosk/runtime.ts';
import { createLogger } from '../../core/logger.ts';
import { credentialOf, Secrets } from '../../core/secret-forms.ts';
import { LogCapture, newToken } from '../support/kiosk.ts';
import { ApiUpstream } from '../support/upstream-api.ts';
import { WsUpstream } from '../support/upstream-ws.ts';

const wsToken = newToken('envws');
const apiToken = newToken('envapi');
const ws = await new WsUpstream({ token: wsToken }).start();
const api = await new ApiUpstream().start();
afterAll(async () => {
  await ws.kill();
  await api.stop();
});

describe('tokens from the environment', () => {
  it('are used, kept out of the log, and removed from the environment children inherit', async () => {
    Object.assign(process.env, {
      KIOSK_ID: 'env-kiosk',
      KIOSK_WS_URL: ws.url,
      KIOSK_WS_TOKEN: wsToken,
      KIOSK_API_URL: api.url,
      KIOSK_API_TOKEN: apiToken,
      KIOSK_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'kiosk-runtime-')),
    });
    const log = new LogCapture();
    const secrets = new Secrets();
    const logger = createLogger({ destination: log, secrets });
    const runtime = await startRuntime({ logger, secrets, shell: 'headless' });
    try {
      await ws.waitFor(() => ws.handshakes.length === 1, 5000, 'the uplink');
      expect(ws.handshakes[0]?.authorization).toBe(wsToken);
      expect(runtime.config.kioskId).toBe('env-kiosk');
      expect(process.env.KIOSK_WS_TOKEN).toBeUndefined();
      expect(process.env.KIOSK_API_TOKEN).toBeUndefined();
      expect(process.env.KIOSK_WS_URL).toBe(ws.url);
      expect(secrets.foundIn(wsToken) && secrets.foundIn(apiToken) && secrets.foundIn(runtime.server.key)).toBe(true);
      logger.info({ echo: wsToken, other: apiToken }, 'a careless line');
      expect(log.text).not.toContain(credentialOf(wsToken));
      expect(log.text).not.toContain(credentialOf(apiToken));
      expect(log.lines[0]).toContain('"msg":"kiosk-shell starting"');
      expect(log.lines.every((line) => line.includes('"kiosk":"env-kiosk"'))).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});
