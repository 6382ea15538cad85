// The electron-builder configuration, checked without building: it loads through
// electron-builder's own loader and schema, names every installer IT staff need, flips the
// production fuses, and its icons, desktop entry and systemd unit are valid. (Installers
// need the Electron binary, which this machine cannot download; see the README.)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, EXECUTABLE_NAME, LINUX_PACKAGE_PROGRAM, PRODUCT_NAME, systemdUserUnit, UNIT_NAME } from '../../kiosk/autostart.ts';
import { BUILD_RESOURCES, CONFIG_FILE, desktopEntry, loadBuilderConfig, PROJECT_ROOT, rawBuilderConfig, validateBuilderConfig, type BuilderConfig } from './electron-builder.ts';
import { fakeProgram, scratchDir, validateDesktopEntry, verifyUserUnit } from './validators.ts';

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { main: string; description: string };
let config: BuilderConfig;

beforeAll(async () => {
  config = await loadBuilderConfig();
});

function targetsOf(platform: unknown): string[] {
  const target = (platform as { target?: unknown } | undefined)?.target;
  const list = Array.isArray(target) ? target : [target];
  return list.map((t: unknown) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

describe('electron-builder configuration', () => {
  it('loads through electron-builder and passes its schema, which does reject a mistake', async () => {
    expect(config.directories?.buildResources).toBe('build-resources');
    await expect(validateBuilderConfig({ ...config, electronFusess: {} } as never)).rejects.toThrow(/electronFusess/);
  });

  it('builds every installer: AppImage, deb, rpm; NSIS and MSI; dmg', () => {
    expect(targetsOf(config.linux).sort()).toEqual(['AppImage', 'deb', 'rpm']);
    expect(targetsOf(config.win).sort()).toEqual(['msi', 'nsis']);
    expect(targetsOf(config.mac)).toEqual(['dmg']);
  });

  it('sets the app id and product name once, and the autostart entries use the same names', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
    expect(config.executableName).toBe(EXECUTABLE_NAME);
    const sections = ['linux', 'win', 'mac', 'appImage', 'deb', 'rpm', 'nsis', 'msi', 'dmg'] as const;
    for (const section of sections) {
      const options = (config[section] ?? {}) as Record<string, unknown>;
      expect(options, section).not.toHaveProperty('appId');
      expect(options, section).not.toHaveProperty('productName');
    }
    const source = readFileSync(CONFIG_FILE, 'utf8');
    expect(source.match(/'org\.kioskshell\.KioskShell'/g)).toHaveLength(1);
    expect(source.match(/'Kiosk Shell'/g)).toHaveLength(1);
  });

  it('flips the production fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
      resetAdHocDarwinSignature: true,
    });
    expect(config.asar).toBe(true);
  });

  it('packs the built app only, and starts the compiled main process', () => {
    // As written (electron-builder's loader turns the list into a file set).
    const files = rawBuilderConfig().files as string[];
    expect(files).toEqual(expect.arrayContaining(['dist/**/*', 'package.json', '!**/*.map']));
    expect(files.filter((pattern) => !pattern.startsWith('!'))).toEqual(['dist/**/*', 'package.json']);
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
    expect(pkg.main).toBe(config.extraMetadata.main);
    expect(config.npmRebuild).toBe(false);
  });
});

describe('icons', () => {
  function pngSize(file: string): { width: number; height: number } {
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
    expect(bytes.subarray(12, 16).toString('latin1'), file).toBe('IHDR');
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }

  it('were generated from the current icon.svg (npm run icons)', () => {
    const svg = readFileSync(path.join(BUILD_RESOURCES, 'icon.svg'));
    const stamp = readFileSync(path.join(BUILD_RESOURCES, 'icon.sha256'), 'utf8');
    expect(stamp.trim(), 'icon.svg changed since the icons were made: run `npm run icons` and commit the result').toBe(`${createHash('sha256').update(svg).digest('hex')}  icon.svg`);
  });

  it('include every Linux size, named by their size', () => {
    const linuxIcons = path.join(BUILD_RESOURCES, String(config.linux?.icon));
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(path.join(linuxIcons, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    expect(pngSize(path.join(BUILD_RESOURCES, 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('include a Windows .ico up to 256 px and a macOS .icns up to 1024 px', () => {
    const ico = readFileSync(path.join(BUILD_RESOURCES, String(config.win?.icon)));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const icoSizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + i * 16] || 256);
    expect(icoSizes).toEqual([16, 24, 32, 48, 64, 128, 256]);

    const icns = readFileSync(path.join(BUILD_RESOURCES, String(config.mac?.icon)));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, Buffer>();
    for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4)) {
      types.set(icns.subarray(offset, offset + 4).toString('latin1'), icns.subarray(offset + 8, offset + icns.readUInt32BE(offset + 4)));
    }
    expect([...types.keys()]).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']));
    expect(types.get('ic10')?.readUInt32BE(16)).toBe(1024);
  });
});

describe('Linux desktop integration', () => {
  it.each(['deb', 'rpm', 'appImage'] as const)('the %s desktop entry electron-builder writes passes desktop-file-validate', async (target) => {
    const entry = await desktopEntry(config, target, pkg.description);
    expect(entry).toContain(`Name=${PRODUCT_NAME}\n`);
    expect(entry).toContain('Categories=Utility;\n');
    expect(entry).toContain(`StartupWMClass=${EXECUTABLE_NAME}\n`);
    const verdict = validateDesktopEntry(entry, `${EXECUTABLE_NAME}.desktop`);
    expect(verdict.ok, verdict.output).toBe(true);
  });

  it('deb and rpm install the systemd user unit, which is the one `autostart enable` writes', () => {
    const unitFile = path.join(BUILD_RESOURCES, 'linux', UNIT_NAME);
    expect(readFileSync(unitFile, 'utf8'), 'run `npm run packaging:unit` and commit the result').toBe(systemdUserUnit({ program: LINUX_PACKAGE_PROGRAM, args: [] }));
    for (const target of ['deb', 'rpm'] as const) {
      expect(config[target]?.fpm).toEqual([`${unitFile}=/usr/lib/systemd/user/${UNIT_NAME}`]);
    }
    expect(existsSync(unitFile)).toBe(true);
  });

  it('the packaged unit passes systemd-analyze verify', () => {
    // ExecStart must name an existing executable: verify a copy pointing at a stand-in.
    const program = fakeProgram(scratchDir('program'), 'usr/bin/kiosk-shell');
    const unit = readFileSync(path.join(BUILD_RESOURCES, 'linux', UNIT_NAME), 'utf8').replace(`ExecStart=${LINUX_PACKAGE_PROGRAM}`, `ExecStart=${program}`);
    expect(unit).toContain(`ExecStart=${program}\n`);
    const verdict = verifyUserUnit(unit, UNIT_NAME);
    expect(verdict.ok, verdict.output).toBe(true);
  });
});
