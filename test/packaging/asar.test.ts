// The production app.asar, built as electron-builder would build it but without the
// Electron binary: electron-builder's own file rules pick the files from the production
// build (`npm run build` runs before vitest in `npm test`), @electron/asar packs them,
// and the archive is then listed and every byte of it searched for secrets.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createPackage, extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuilderConfig, productionPackages, PROJECT_ROOT, stageApp } from './electron-builder.ts';
import { scratchDir } from './validators.ts';

const REQUIRED_BUILD = ['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/kiosk/cli.js'];

// What a secret looks like: an upstream token header value ("Token " and 20+ token
// characters, as Django REST framework issues them), a private key, a registry or cloud
// credential, and files that hold such things.
const SECRET_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['token header value', /\b(?:Token|Bearer) [A-Za-z0-9._~+/=-]{20,}/],
  ['private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/],
  ['npm auth token', /_authToken\s*=|\bnpm_[A-Za-z0-9]{36}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
];
const SECRET_FILES = /(?:^|\/)(?:\.env(?:\.[^/]*)?|\.npmrc|[^/]*\.(?:pem|key|p12|pfx|token))$/;

/** Every secret-looking thing in an archive: [entry, what it looks like]. */
function findSecrets(archive: string, entries: readonly string[], extra: readonly string[] = []): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of entries) {
    if (SECRET_FILES.test(entry)) found.push([entry, 'a file that holds secrets']);
    const text = extractFile(archive, entry).toString('latin1');
    for (const [label, pattern] of SECRET_PATTERNS) if (pattern.test(text)) found.push([entry, label]);
    for (const value of extra) if (text.includes(value)) found.push([entry, 'a token from this machine\'s environment']);
  }
  return found;
}

function filesOf(archive: string): string[] {
  const header = listPackage(archive, { isPack: false }).map((entry) => entry.replace(/\\/g, '/').replace(/^\//, ''));
  // listPackage names directories too; keep what extractFile can read.
  const directories = new Set(header.map((entry) => path.posix.dirname(entry)));
  return header.filter((entry) => !directories.has(entry));
}

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
let work: string;
let staging: string;
let archive: string;
let files: string[];

beforeAll(async () => {
  const missing = REQUIRED_BUILD.filter((file) => !existsSync(path.join(PROJECT_ROOT, file)));
  if (missing.length > 0) throw new Error(`no production build (${missing.join(', ')} missing): run \`npm run build\` first (npm test does)`);
  work = scratchDir('asar');
  staging = path.join(work, 'app');
  archive = path.join(work, 'app.asar');
  await stageApp(await loadBuilderConfig(), staging);
  await createPackage(staging, archive);
  files = filesOf(archive);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the production app.asar', () => {
  it('holds the built main process, preload, renderer and CLI, and the manifest that starts them', () => {
    expect(files).toEqual(expect.arrayContaining([...REQUIRED_BUILD, 'package.json']));
    const manifest = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as Record<string, unknown>;
    expect(manifest.main).toBe('dist/electron/main.js');
    expect(manifest.desktopName).toBe('kiosk-shell.desktop');
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
  });

  it('holds exactly the production build: dist/ without source maps, and package.json', () => {
    const walk = (dir: string): string[] =>
      readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(path.posix.join(dir, entry.name)) : [path.posix.join(dir, entry.name)],
      );
    const built = walk('dist').filter((file) => !file.endsWith('.map'));
    expect(files.filter((file) => !file.startsWith('node_modules/')).sort()).toEqual([...built, 'package.json'].sort());
  });

  it('holds exactly the production dependency tree', () => {
    const packaged = new Set(files.filter((file) => file.startsWith('node_modules/')).map((file) => /^(node_modules\/(?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*)\//.exec(file)?.[1]));
    const production = productionPackages().map((dir) => path.relative(PROJECT_ROOT, dir).split(path.sep).join('/'));
    expect([...packaged].sort()).toEqual(production.sort());
    for (const name of ['express', 'ws', ...Object.keys(pkg.dependencies)]) expect(files, name).toContain(`node_modules/${name}/package.json`);
  });

  it('holds no development dependency, test, fixture, source map or TypeScript source', () => {
    const production = new Set(productionPackages().map((dir) => path.basename(dir)));
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => !production.has(name));
    expect(devOnly).toEqual(expect.arrayContaining(['electron', 'electron-builder', 'vite', 'vitest', 'typescript', 'react', 'eslint']));
    for (const name of devOnly) expect(files.some((file) => file.startsWith(`node_modules/${name}/`)), name).toBe(false);
    expect(files.filter((file) => /(?:^|\/)(?:test|tests|__tests__|fixtures)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => /\.(?:ts|mts|cts)$/.test(file))).toEqual([]);
    // The page SDK's types ride along as data the kiosk serves at /kiosk-shell/sdk.d.ts.
    expect(files).toContain('dist/sdk/sdk.d.ts.txt');
    expect(files.filter((file) => /^(?:renderer|server|kiosk|electron|test|scripts|bench|integrations|build-resources)\//.test(file))).toEqual([]);
  });

  it('holds no secret', () => {
    // Tokens this machine has in its environment must not have been built in either.
    const local = Object.entries(process.env)
      .filter(([name, value]) => /TOKEN|SECRET/i.test(name) && value && value.length >= 12)
      .map(([, value]) => value as string);
    expect(findSecrets(archive, files, local)).toEqual([]);
  });

  it('the secret search finds what it looks for (an archive with planted secrets)', async () => {
    const dir = path.join(work, 'planted');
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'config.js'), `export const upstream = { token: "Token ${'a1b2c3d4'.repeat(5)}" };\n`);
    writeFileSync(path.join(dir, 'dist', 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n');
    writeFileSync(path.join(dir, '.env'), 'KIOSK_API_TOKEN=x\n');
    writeFileSync(path.join(dir, 'clean.js'), 'export const header = "Token " + value;\n');
    const planted = path.join(work, 'planted.asar');
    await createPackage(dir, planted);
    const found = findSecrets(planted, filesOf(planted), ['local-secret-value']);
    expect(found).toEqual(
      expect.arrayContaining([
        ['dist/config.js', 'token header value'],
        ['dist/id', 'private key'],
        ['.env', 'a file that holds secrets'],
      ]),
    );
    expect(found.map(([entry]) => entry)).not.toContain('clean.js');
  });

  it('runs from its own files: the staged app serves the kiosk with production dependencies only', async () => {
    const home = path.join(work, 'home');
    mkdirSync(home);
    const env = { PATH: process.env.PATH, HOME: home, KIOSK_STATE_DIR: path.join(home, 'state'), KIOSK_LOG_DIR: path.join(home, 'logs'), NODE_ENV: 'production' };
    const child = spawn(process.execPath, [path.join(staging, 'dist', 'kiosk', 'cli.js'), 'serve'], { cwd: staging, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const first = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
        exited.then((code) => `exited ${code}`),
        new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 20_000)),
      ]);
      expect(first, stderr).toMatch(/^\{"event":"ready","url":"http:\/\/127\.0\.0\.1:\d+\/#key=/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
