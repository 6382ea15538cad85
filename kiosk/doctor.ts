// `kiosk-shell doctor`: what IT runs on a kiosk that misbehaves. Each check says pass or
// fail in one line, with a hint that names the fix. It never prints a secret.
import { lookup } from 'node:dns/promises';
import WebSocket from 'ws';
import { loadConfig, type ResolvedConfig } from '../core/config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { findChromium } from './chromium-shell.ts';
import { findElectronBinary, hasDisplay } from './electron-binary.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

export interface DoctorOptions {
  configPath?: string | undefined;
  machineConfigPath?: string | undefined;
  packaged?: boolean;
  shell: 'electron' | 'chromium';
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/;

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const results: CheckResult[] = [];
  const config = checkConfig(options, env, results);
  if (config !== undefined) {
    results.push({ name: 'ui', ok: true, detail: config.ui.dir === undefined ? 'the bundled City Hall UI' : `the site's own, from ${config.ui.dir} (ui.dir)` });
  }
  if (config?.upstream !== undefined) {
    const timeoutMs = options.timeoutMs ?? 8000;
    results.push(await checkWebSocket(config.upstream.ws, timeoutMs));
    results.push(await checkApi(config.upstream.api, timeoutMs));
  }
  results.push(checkShell(options.shell, env, options.packaged ?? false));
  results.push(
    hasDisplay(env)
      ? { name: 'display', ok: true, detail: env.WAYLAND_DISPLAY ? `Wayland ${env.WAYLAND_DISPLAY}` : `X ${env.DISPLAY ?? 'available'}` }
      : { name: 'display', ok: false, detail: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)', hint: 'start the kiosk from the graphical session (kiosk-shell autostart enable), not over SSH' },
  );
  return results;
}

/** The config line and the token-file line; returns the config when it is usable. */
function checkConfig(options: DoctorOptions, env: NodeJS.ProcessEnv, results: CheckResult[]): ResolvedConfig | undefined {
  try {
    const loaded = loadConfig({
      configPath: options.configPath,
      machineConfigPath: options.machineConfigPath,
      packaged: options.packaged ?? false,
      env,
    });
    if (loaded.demo) {
      results.push({
        name: 'config',
        ok: false,
        detail: 'no config file: the kiosk would run the embedded demo',
        hint: `create ${options.machineConfigPath ?? 'a config file'} (see docs/deploy.md)`,
      });
      return undefined;
    }
    results.push({ name: 'config', ok: true, detail: `valid: ${loaded.file ?? '(environment)'}` });
    const tokenWarnings = loaded.warnings.filter((w) => w.includes('.tokenFile:'));
    results.push(
      tokenWarnings.length === 0
        ? { name: 'token files', ok: true, detail: 'private to the kiosk user (or tokens set in the config)' }
        : { name: 'token files', ok: true, detail: tokenWarnings.join('; ') },
    );
    return loaded.config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const tokenProblems = error.problems.filter((p) => p.includes('.tokenFile:'));
    const others = error.problems.filter((p) => !p.includes('.tokenFile:'));
    results.push(
      others.length === 0
        ? { name: 'config', ok: true, detail: 'valid apart from its token files' }
        : { name: 'config', ok: false, detail: others.join('; '), hint: 'kiosk-shell check-config lists every problem by key path' },
    );
    results.push(
      tokenProblems.length === 0
        ? { name: 'token files', ok: true, detail: 'not checked further (fix the config first)' }
        : { name: 'token files', ok: false, detail: tokenProblems.join('; '), hint: 'each problem names the command that fixes it' },
    );
    return undefined;
  }
}

async function checkWebSocket(ws: { url: string; tokenHeader: string; token: string }, timeoutMs: number): Promise<CheckResult> {
  const name = 'upstream WebSocket';
  const url = new URL(ws.url);
  const where = `${url.protocol}//${url.host}${url.pathname}`;
  const dns = await resolves(url.hostname);
  if (dns !== true) return { name, ok: false, detail: `DNS: cannot resolve ${url.hostname} (${dns})`, hint: 'check the host name in upstream.ws.url and the machine\'s DNS' };
  return new Promise((resolve) => {
    const socket = new WebSocket(ws.url, { headers: { [ws.tokenHeader]: ws.token }, handshakeTimeout: timeoutMs, perMessageDeflate: false, followRedirects: false });
    const done = (result: CheckResult) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(result);
    };
    socket.once('open', () => done({ name, ok: true, detail: `${where}: 101 Switching Protocols, token accepted` }));
    socket.once('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      done({
        name,
        ok: false,
        detail: `${where}: HTTP ${status} instead of 101`,
        hint: status === 401 || status === 403 ? 'the upstream refused the token: check upstream.ws.token/tokenFile, or rotate the kiosk\'s token' : 'check upstream.ws.url (the path of the WebSocket endpoint)',
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(networkFailure(name, where, error, 'upstream.ws.url')));
  });
}

async function checkApi(api: { url: string; tokenHeader: string; token: string }, timeoutMs: number): Promise<CheckResult> {
  const name = 'upstream API';
  const url = new URL(api.url);
  const where = `${url.protocol}//${url.host}${url.pathname}`;
  const dns = await resolves(url.hostname);
  if (dns !== true) return { name, ok: false, detail: `DNS: cannot resolve ${url.hostname} (${dns})`, hint: 'check the host name in upstream.api.url and the machine\'s DNS' };
  try {
    const response = await fetch(api.url, { headers: { [api.tokenHeader]: api.token, accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      return { name, ok: false, detail: `${where}: HTTP ${response.status}`, hint: 'the API refused the token: check upstream.api.token/tokenFile' };
    }
    if (response.status >= 500) return { name, ok: false, detail: `${where}: HTTP ${response.status}`, hint: 'the API is failing; ask its operators' };
    return { name, ok: true, detail: `${where}: HTTP ${response.status}, token accepted` };
  } catch (error) {
    const cause = ((error as { cause?: NodeJS.ErrnoException }).cause ?? error) as NodeJS.ErrnoException;
    if ((error as Error).name === 'TimeoutError') return { name, ok: false, detail: `${where}: no answer within ${timeoutMs / 1000} s`, hint: 'check the network path to the API (firewall, proxy)' };
    return networkFailure(name, where, cause, 'upstream.api.url');
  }
}

function networkFailure(name: string, where: string, error: NodeJS.ErrnoException, key: string): CheckResult {
  const code = error.code ?? error.message;
  if (TLS_ERROR.test(code)) return { name, ok: false, detail: `${where}: TLS: ${code}`, hint: 'the server\'s certificate is not trusted here: fix the certificate or the machine\'s CA store' };
  if (code === 'ECONNREFUSED') return { name, ok: false, detail: `${where}: connection refused`, hint: `nothing listens there: is the upstream up, and is ${key} right?` };
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(code)) return { name, ok: false, detail: `${where}: timed out`, hint: 'check the network path (firewall, proxy)' };
  return { name, ok: false, detail: `${where}: ${code}`, hint: `check ${key} and the network` };
}

async function resolves(hostname: string): Promise<true | string> {
  try {
    await lookup(hostname.replace(/^\[|\]$/g, ''));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'lookup failed';
  }
}

function checkShell(shell: 'electron' | 'chromium', env: NodeJS.ProcessEnv, packaged: boolean): CheckResult {
  if (shell === 'chromium') {
    const chromium = findChromium(env);
    return chromium
      ? { name: 'shell', ok: true, detail: `Chromium at ${chromium}` }
      : { name: 'shell', ok: false, detail: 'no Chromium found', hint: 'install it (Debian/Ubuntu: sudo apt-get install chromium) or set KIOSK_CHROMIUM_PATH' };
  }
  if (packaged) return { name: 'shell', ok: true, detail: `Electron (this app: ${process.execPath})` };
  const electron = findElectronBinary(env);
  return electron
    ? { name: 'shell', ok: true, detail: `Electron at ${electron}` }
    : { name: 'shell', ok: false, detail: 'the Electron binary is not installed', hint: 'run `npx install-electron` where Electron can be downloaded (npm install does not), or run with --shell chromium' };
}

/** The report as lines: PASS/FAIL, the check, what was found, and a hint for failures. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results
    .map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}${r.ok || !r.hint ? '' : `\n      ${' '.repeat(width)}  hint: ${r.hint}`}`)
    .join('\n');
}
