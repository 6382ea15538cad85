// The fuse check of npm run test:electron, without the Electron binary: a fixture file
// with a fuse wire written into it as Electron's build writes one, flipped the way
// electron-builder flips a packaged app's, then read back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseV1Options } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawBuilderConfig } from '../packaging/electron-builder.ts';
import { configuredFuses, flipConfiguredFuses, fuseName, fuseProblems, fuseWireBlob, readFuseWire, unconfiguredFuses, type FuseState } from './fuses.ts';

// A stock Electron's wire: the defaults of the eight fuses @electron/fuses names, and a
// ninth it does not know (newer Electrons have more).
const STOCK: FuseState[] = ['on', 'off', 'on', 'on', 'off', 'off', 'off', 'on', 'on'];

let dir: string;
let wanted: Map<number, boolean>;
const electronFuses = () => rawBuilderConfig().electronFuses as object;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fuses-'));
  wanted = await configuredFuses(electronFuses());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, states: readonly FuseState[], options?: { version?: number }): string {
  const file = path.join(dir, name);
  writeFileSync(file, fuseWireBlob(states, options));
  return file;
}

describe('the fuse reader', () => {
  it('reads every fuse of the wire, known to @electron/fuses or not', async () => {
    const wire = await readFuseWire(fixture('stock', STOCK));
    expect(wire).toEqual({ version: '1', states: STOCK });
    expect(fuseName(FuseV1Options.RunAsNode)).toBe('RunAsNode');
    expect(fuseName(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe('GrantFileProtocolExtraPrivileges');
    expect(fuseName(42)).toBe('fuse #42');
  });

  it('reads a macOS app bundle in its Electron Framework, where the wire is', async () => {
    const framework = path.join(dir, 'Kiosk Shell.app', 'Contents', 'Frameworks', 'Electron Framework.framework');
    mkdirSync(framework, { recursive: true });
    writeFileSync(path.join(framework, 'Electron Framework'), fuseWireBlob(['off', 'on', 'removed']));
    expect((await readFuseWire(path.join(dir, 'Kiosk Shell.app'))).states).toEqual(['off', 'on', 'removed']);
  });

  it('says so when a file has no fuse wire', async () => {
    const file = path.join(dir, 'not-electron');
    writeFileSync(file, Buffer.alloc(4096, 7));
    await expect(readFuseWire(file)).rejects.toThrow(/Could not find sentinel/);
  });
});

describe('the fuses the builder config asks for', () => {
  it('are the eight named in the config, placed on the wire by electron-builder\'s own mapping', () => {
    expect(Object.fromEntries([...wanted].map(([index, on]) => [fuseName(index), on]))).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it('read back from a binary flipped the way electron-builder packages one, and nothing else changed', async () => {
    const stock = fixture('stock-for-flip', STOCK);
    const before = await readFuseWire(stock);
    const packaged = fixture('packaged', STOCK);
    await flipConfiguredFuses(packaged, electronFuses());
    const after = await readFuseWire(packaged);
    expect(after.states).toEqual(['off', 'on', 'off', 'off', 'on', 'on', 'off', 'off', 'on']);
    expect(fuseProblems(after, wanted, before)).toEqual([]);
    expect(unconfiguredFuses(after, wanted)).toEqual(['fuse #8 (on)']);
  });
});

describe('the comparison', () => {
  it('names a fuse the binary holds otherwise than configured', async () => {
    const unflipped = await readFuseWire(fixture('unflipped', STOCK));
    expect(fuseProblems(unflipped, wanted)).toEqual([
      'RunAsNode: configured off, but the binary has it on',
      'EnableCookieEncryption: configured on, but the binary has it off',
      'EnableNodeOptionsEnvironmentVariable: configured off, but the binary has it on',
      'EnableNodeCliInspectArguments: configured off, but the binary has it on',
      'EnableEmbeddedAsarIntegrityValidation: configured on, but the binary has it off',
      'OnlyLoadAppFromAsar: configured on, but the binary has it off',
      'GrantFileProtocolExtraPrivileges: configured off, but the binary has it on',
    ]);
  });

  it('names a configured fuse the binary lacks or holds as removed, and a wire of another version', async () => {
    const short = await readFuseWire(fixture('short', ['off', 'on', 'off', 'off', 'on', 'removed']));
    expect(fuseProblems(short, wanted)).toEqual([
      'OnlyLoadAppFromAsar: configured on, but the binary has it removed',
      'LoadBrowserProcessSpecificV8Snapshot: configured off, but this Electron has no such fuse',
      'GrantFileProtocolExtraPrivileges: configured off, but this Electron has no such fuse',
    ]);
    const newer = await readFuseWire(fixture('v2', STOCK, { version: 2 }));
    expect(fuseProblems(newer, wanted)[0]).toBe('fuse wire version 2, not 1');
  });

  it('names a fuse the config does not set that packaging changed anyway', async () => {
    const stock = await readFuseWire(fixture('stock-2', STOCK));
    const tampered = await readFuseWire(fixture('tampered', ['off', 'on', 'off', 'off', 'on', 'on', 'off', 'off', 'off']));
    expect(fuseProblems(tampered, wanted, stock)).toEqual(['fuse #8: not configured, yet changed from on to off']);
  });
});
