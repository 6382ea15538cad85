// The README's packaging commands are the ones that build what the config describes: one
// command per OS, naming that OS's targets exactly, with flags electron-builder knows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, PROJECT_ROOT, rawBuilderConfig } from './electron-builder.ts';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('<!-- packaging:start -->'), readme.indexOf('<!-- packaging:end -->'));
const config = rawBuilderConfig() as Record<'linux' | 'win' | 'mac', { target: string[] }>;

describe('README: packaging', () => {
  const configPath = path.relative(PROJECT_ROOT, CONFIG_FILE);
  it.each([
    ['--linux', 'linux'],
    ['--win', 'win'],
    ['--mac', 'mac'],
  ] as const)('gives the command that builds every %s installer', (flag, platform) => {
    const command = `npm ci && npm run build && npx electron-builder --config ${configPath} ${flag} ${config[platform].target.join(' ')} --publish never`;
    expect(section).toContain(command);
  });

  it('uses only options electron-builder has', () => {
    const help = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'electron-builder'), ['--help'], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(help.status, help.stderr).toBe(0);
    const used = new Set([...section.matchAll(/npx electron-builder ([^`]+)`/g)].flatMap((m) => (m[1] ?? '').match(/--[a-z]+/g) ?? []));
    expect([...used].sort()).toEqual(['--config', '--linux', '--mac', '--publish', '--win']);
    for (const option of used) expect(help.stdout).toContain(option);
  });

  it('names the autostart commands and the lock-down it cannot do itself', () => {
    for (const text of ['kiosk-shell autostart enable', 'kiosk-shell autostart disable', 'kiosk-shell autostart status', 'Shell Launcher', 'Assigned Access', 'cage', 'AllowEdgeSwipe', 'GNOME']) {
      expect(section).toContain(text);
    }
  });
});
