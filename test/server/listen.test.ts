// Defence 1: the server binds 127.0.0.1 only. It must answer there and be refused at
// every other address of the machine, IPv4 and IPv6 alike.
import { connect } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/clients.ts';
import { startTestKiosk, type TestKiosk } from '../support/kiosk.ts';

let kiosk: TestKiosk;

beforeAll(async () => {
  kiosk = await startTestKiosk();
});
afterAll(() => kiosk.close());

/** Resolves 'connected' or the error code of a TCP connect to address:port. */
function tryConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** Every address of every interface, link-local IPv6 with its zone so it is reachable. */
function machineAddresses(): string[] {
  const addresses = new Set<string>(['::1', '127.0.0.2', '127.1.2.3']);
  for (const [name, entries] of Object.entries(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      const linkLocal = entry.family === 'IPv6' && entry.address.toLowerCase().startsWith('fe80:');
      addresses.add(linkLocal ? `${entry.address}%${name}` : entry.address);
    }
  }
  addresses.delete('127.0.0.1');
  return [...addresses];
}

describe('the listening address', () => {
  it('answers on 127.0.0.1', async () => {
    expect(await tryConnect('127.0.0.1', kiosk.server.port)).toBe('connected');
    const response = await httpRequest(kiosk.server.port, { path: '/healthz', headers: { host: `127.0.0.1:${kiosk.server.port}` } });
    expect(response.status).toBe(200);
  });

  it.each(machineAddresses())('refuses connections on %s', async (address) => {
    expect(await tryConnect(address, kiosk.server.port)).toBe('ECONNREFUSED');
  });
});
