// The smoke test's kit, without the Electron binary: the kiosk machine it writes is one
// the kiosk accepts, packaged (no KIOSK_* environment) as well, and its fleet sees that
// kiosk say hello and answer commands. Here `kiosk-shell serve` stands in for the shell:
// the same config, the same runtime, no window.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import { spawnCli, type CliProcess } from '../support/cli.ts';
import { Fleet, KIOSK_ID, kioskEnv, kioskMachine, type KioskMachine } from './kit.ts';

let fleet: Fleet;
let machine: KioskMachine;
let serve: CliProcess | undefined;

beforeAll(async () => {
  fleet = await Fleet.start();
  machine = kioskMachine(fleet);
});
afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await fleet.close();
  machine.remove();
});

describe('the smoke test\'s kiosk machine', () => {
  it('writes a config the kiosk accepts as an installed kiosk would, private to its user', () => {
    // loadConfig throws on any problem; a packaged kiosk reads no KIOSK_* variable.
    const { config, warnings } = loadConfig({ configPath: machine.config, env: { KIOSK_ID: 'not-this' }, packaged: true });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ kioskId: KIOSK_ID, upstream: { ws: { url: fleet.demo.wsUrl }, api: { url: fleet.demo.apiUrl } }, log: { dir: machine.logDir } });
    expect(statSync(machine.config).mode & 0o077).toBe(0);
    expect(kioskEnv(machine, ':9')).toEqual(expect.objectContaining({ HOME: machine.home, DISPLAY: ':9' }));
  });

  it('is a kiosk the fleet hears: hello, then one terminal ack per command', async () => {
    serve = spawnCli(['serve', '--config', machine.config], { ...kioskEnv(machine, ':0'), DISPLAY: '' });
    expect(JSON.parse(await serve.firstLine())).toMatchObject({ event: 'ready' });
    await fleet.hello(1, 20_000);
    // serve has no window to capture: the answer is still a terminal ack, and only one.
    expect(await fleet.ack(fleet.command('screenshot'), 20_000)).toMatchObject({ kiosk: KIOSK_ID, command: 'screenshot', status: 'ignored', reason: 'no-window' });
    expect(await fleet.ack(fleet.command('explode'), 20_000)).toMatchObject({ status: 'failed', reason: 'unknown-command' });
    expect(fleet.log.text).not.toContain(fleet.token);
  });
});
