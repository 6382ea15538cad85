// The reference deployment (integrations/django/deploy/) run as written: Debian's nginx with
// the site file (rendered with this test's ports, name and paths by exact substitution) in
// front of two daphne workers started with the unit file's own ExecStart, its env file
// example (with this test's secrets), Redis and a throwaway PostgreSQL; a certificate made
// here with openssl; and the real kiosk-shell (`serve`, the built bin) connecting over
// wss:// and https:// with its token, trusting the certificate through NODE_EXTRA_CA_CERTS.
// An admin in Chromium resets it through the proxy and sees its ack.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';
import { DEPLOY_DIR, INSTALLED_DIR, installedEnvironment, parseEnvFile, serviceSettings, spawnUnitWorker, substitute, type UnitWorker } from '../support/deploy.ts';
import { startRedis } from '../support/django.ts';
import { freePort } from '../support/ports.ts';
import { startPostgres, type Postgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait.ts';

const DEPLOY = DEPLOY_DIR;
const INSTALLED = INSTALLED_DIR;
const HOST = 'localhost';
const run = promisify(execFile);

/** `systemd-analyze verify` of system units in a scratch folder: exit 0 and nothing said about them. */
function verifyUnits(files: Record<string, string>, verifyAs: string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-deploy-units-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const result = spawnSync('systemd-analyze', ['verify', ...verifyAs.map((n) => path.join(dir, n))], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '' },
  });
  const output = `${result.stdout}${result.stderr}`.trim();
  const aboutUs = output.split('\n').filter((line) => Object.keys(files).some((n) => line.includes(n)) || verifyAs.some((n) => line.includes(n)));
  return { ok: result.status === 0 && aboutUs.length === 0, output };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTPS request with our CA; `servername` is the SNI, `headers.Host` may differ. */
function httpsRequest(port: number, ca: string, pathname: string, opts: { servername?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: pathname, ca, servername: opts.servername ?? HOST, headers: { Host: `${HOST}:${port}`, ...opts.headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

function httpRequest(port: number, pathname: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
    });
    req.once('error', reject);
    req.end();
  });
}

function collect(child: ChildProcess): () => string {
  let out = '';
  const add = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-200_000));
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('the reference deployment: nginx with TLS, two workers, Redis, PostgreSQL, a real kiosk', () => {
  const unitText = readFileSync(path.join(DEPLOY, 'kiosk-fleet@.service'), 'utf8');
  const targetText = readFileSync(path.join(DEPLOY, 'kiosk-fleet.target'), 'utf8');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-deploy-'));
  const children: ChildProcess[] = [];
  const workers: UnitWorker[] = [];
  const outputs: Record<string, () => string> = {};
  let pg: Postgres | undefined;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let nginx: ChildProcess | undefined;
  let kiosk: ChildProcess | undefined;
  let untrusting: ChildProcess | undefined;
  let browser: Browser | undefined;
  let ca = '';
  let httpsPort = 0;
  let httpPort = 0;
  let token = '';
  let kioskUrl = '';
  let untrustingUrl = '';
  let env: NodeJS.ProcessEnv = {};
  const admin = { username: 'cityadmin', password: `pw-${randomBytes(12).toString('hex')}` };
  const nginxDir = path.join(dir, 'nginx');
  const manage = async (...args: string[]) => (await run('/usr/bin/python3', ['manage.py', ...args], { cwd: path.join(INSTALLED, 'example'), env, timeout: 120_000 })).stdout;
  const origin = () => `https://${HOST}:${httpsPort}`;

  beforeAll(async () => {
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    const workerPorts = [await freePort(), await freePort()];

    // The certificate, as a site with its own CA would have one: the kiosk trusts this file.
    const tls = path.join(dir, 'tls');
    mkdirSync(tls, { mode: 0o700 });
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${HOST}`,
      '-addext', `subjectAltName=DNS:${HOST},IP:127.0.0.1`, '-keyout', path.join(tls, 'privkey.pem'), '-out', path.join(tls, 'fullchain.pem'),
    ]);
    ca = readFileSync(path.join(tls, 'fullchain.pem'), 'utf8');

    const [startedPg, startedRedis] = await Promise.all([startPostgres(), startRedis()]);
    pg = startedPg;
    redis = startedRedis;

    // The env file example with this site's values; every value the test sets is one the
    // example names, so the example is the list a city fills in.
    const example = parseEnvFile(readFileSync(path.join(DEPLOY, 'kiosk-fleet.env.example'), 'utf8'));
    const site: Record<string, string> = {
      DJANGO_SECRET_KEY: randomBytes(40).toString('base64url'),
      DATABASE_URL: pg.url,
      KIOSK_REDIS_URL: redis.url,
      DJANGO_ALLOWED_HOSTS: HOST,
      DJANGO_CSRF_TRUSTED_ORIGINS: origin(),
    };
    for (const key of Object.keys(site)) expect(example, `the env example names ${key}`).toHaveProperty(key);
    expect(example.DJANGO_BEHIND_TLS_PROXY).toBe('1');
    const service = serviceSettings(unitText);
    env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir, ...installedEnvironment(service), ...example, ...site };

    await manage('migrate', '--no-input', '-v', '0');
    await run('/usr/bin/python3', ['manage.py', 'createsuperuser', '--noinput'], {
      cwd: path.join(INSTALLED, 'example'),
      env: { ...env, DJANGO_SUPERUSER_USERNAME: admin.username, DJANGO_SUPERUSER_PASSWORD: admin.password, DJANGO_SUPERUSER_EMAIL: 'it@example.org' },
    });
    token = (await manage('kiosk_enroll', 'lobby-1', '--group', 'lobby')).trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^kfk_/);

    // The workers: the unit's ExecStart and WorkingDirectory, %i being the port.
    for (const port of workerPorts) {
      const worker = spawnUnitWorker(port, env, service);
      workers.push(worker);
      outputs[`worker ${port}`] = () => worker.output();
    }

    // The site file, rendered: this test's name, ports, certificate, log files and workers.
    let siteConf = readFileSync(path.join(DEPLOY, 'nginx-kiosk-fleet.conf'), 'utf8');
    siteConf = substitute(siteConf, 'server_name kiosks.example.org;', `server_name ${HOST};`, 2);
    siteConf = substitute(siteConf, 'listen 443 ', `listen 127.0.0.1:${httpsPort} `, 2);
    siteConf = substitute(siteConf, 'listen [::]:443 ', `listen [::1]:${httpsPort} `, 2);
    siteConf = substitute(siteConf, 'listen 80', `listen 127.0.0.1:${httpPort}`, 2);
    siteConf = substitute(siteConf, 'listen [::]:80', `listen [::1]:${httpPort}`, 2);
    siteConf = substitute(siteConf, '/etc/ssl/kiosk-fleet/', `${tls}/`, 2);
    siteConf = substitute(siteConf, '/var/log/nginx/', `${nginxDir}/`, 2);
    siteConf = substitute(siteConf, 'server 127.0.0.1:8001 ', `server 127.0.0.1:${workerPorts[0]} `, 1);
    siteConf = substitute(siteConf, 'server 127.0.0.1:8002 ', `server 127.0.0.1:${workerPorts[1]} `, 1);
    // Debian's own nginx.conf, with a private pid, logs and temp folders, and our site alone.
    mkdirSync(nginxDir, { mode: 0o755 });
    chmodSync(dir, 0o755); // nginx's workers (www-data) reach their temp folders
    let mainConf = readFileSync('/etc/nginx/nginx.conf', 'utf8');
    mainConf = substitute(mainConf, 'pid /run/nginx.pid;', `pid ${nginxDir}/nginx.pid;`, 1);
    mainConf = substitute(mainConf, 'error_log /var/log/nginx/error.log;', `error_log ${nginxDir}/error.log;`, 1);
    mainConf = substitute(mainConf, 'access_log /var/log/nginx/access.log;', `access_log ${nginxDir}/access.log;`, 1);
    mainConf = substitute(mainConf, 'include /etc/nginx/conf.d/*.conf;', '', 1);
    mainConf = substitute(
      mainConf,
      'include /etc/nginx/sites-enabled/*;',
      [`include ${nginxDir}/site.conf;`, ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${nginxDir}/${t};`)].join('\n'),
      1,
    );
    writeFileSync(path.join(nginxDir, 'site.conf'), siteConf);
    writeFileSync(path.join(nginxDir, 'nginx.conf'), mainConf);
    const nginxArgs = ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf'), '-e', path.join(nginxDir, 'error.log'), '-g', 'daemon off;'];
    const syntax = spawnSync('nginx', [...nginxArgs, '-t'], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    nginx = spawn('nginx', nginxArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(nginx);
    outputs.nginx = collect(nginx);

    await waitFor(
      async () => {
        for (const child of [...children, ...workers.map((w) => w.child)]) {
          if (child.exitCode !== null) throw new Error(`a process exited: ${Object.values(outputs).map((o) => o()).join('\n')}`);
        }
        // Each worker answers (a redirect to HTTPS or a refusal of the Host: not proxied), then nginx.
        const direct = await Promise.all(workerPorts.map((port) => httpRequest(port, '/admin/login/', {}).catch(() => undefined)));
        if (direct.some((r) => r === undefined)) return false;
        return (await httpsRequest(httpsPort, ca, '/admin/login/').catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'nginx and both workers' },
    );

    // The real kiosk, as installed: `kiosk-shell serve` with its config pointing at the site.
    const startKiosk = (name: string, tokenValue: string, trust: boolean) => {
      const home = path.join(dir, name);
      mkdirSync(home, { mode: 0o700 });
      writeFileSync(path.join(home, 'token'), `Token ${tokenValue}\n`, { mode: 0o600 });
      writeFileSync(
        path.join(home, 'config.json'),
        JSON.stringify({
          kioskId: name,
          groups: ['lobby'],
          upstream: {
            ws: { url: `wss://${HOST}:${httpsPort}/ws/kiosk/`, tokenHeader: 'Authorization', tokenFile: 'token', reconnectBaseMs: 200, reconnectCapMs: 1000 },
            api: { url: `https://${HOST}:${httpsPort}/api/`, tokenHeader: 'Authorization', tokenFile: 'token' },
          },
          server: { port: 0 },
          reset: { minIntervalSeconds: 0 },
        }),
      );
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kiosk-shell.js'), 'serve', '--config', path.join(home, 'config.json')], {
        cwd: home,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          KIOSK_STATE_DIR: path.join(home, 'state'),
          KIOSK_LOG_DIR: path.join(home, 'logs'),
          ...(trust ? { NODE_EXTRA_CA_CERTS: path.join(tls, 'fullchain.pem') } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      outputs[name] = collect(child);
      return child;
    };
    const readyUrl = async (child: ChildProcess, name: string) => {
      let line = '';
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`${name} exited: ${outputs[name]?.()}`);
          line = (outputs[name]?.() ?? '').split('\n').find((l) => l.startsWith('{"event":"ready"')) ?? '';
          return line !== '';
        },
        { timeoutMs: 20_000, intervalMs: 50, what: `${name} ready` },
      );
      return (JSON.parse(line) as { url: string }).url;
    };
    kiosk = startKiosk('lobby-1', token, true);
    // The same kiosk without the CA: it must refuse the site rather than connect.
    untrusting = startKiosk('lobby-untrusting', token, false);
    [kioskUrl, untrustingUrl] = await Promise.all([readyUrl(kiosk, 'lobby-1'), readyUrl(untrusting, 'lobby-untrusting')]);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([kiosk, untrusting].map((c) => stop(c)));
    await stop(nginx, 'SIGQUIT');
    await Promise.all([...children.map((c) => stop(c)), ...workers.map((w) => w.stop())]);
    await redis?.stop();
    await pg?.stop();
  });

  it('the unit and the target pass systemd-analyze verify (which does catch a broken unit)', () => {
    const ok = verifyUnits({ 'kiosk-fleet@.service': unitText, 'kiosk-fleet.target': targetText }, ['kiosk-fleet@8001.service', 'kiosk-fleet.target']);
    expect(ok.ok, ok.output).toBe(true);
    const broken = verifyUnits({ 'kiosk-fleet@.service': unitText.replace('Restart=always', 'Restart=alwayz'), 'kiosk-fleet.target': targetText }, ['kiosk-fleet@8001.service']);
    expect(broken.ok).toBe(false);
    expect(unitText).toMatch(/^PartOf=kiosk-fleet\.target$/m);
    expect(unitText).toMatch(/^WantedBy=kiosk-fleet\.target$/m);
    expect(unitText).toMatch(/^EnvironmentFile=\/etc\/kiosk-fleet\/env$/m);
  });

  it('manage.py check --deploy with the env file passes without a warning', async () => {
    const { stdout, stderr } = await run('/usr/bin/python3', ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'], { cwd: path.join(INSTALLED, 'example'), env });
    expect(`${stdout}${stderr}`).toContain('System check identified no issues');
  });

  it('each worker runs with the WebSocket size limit (the unit starts kiosk_fleet.serve, not bare daphne)', () => {
    const workers = Object.entries(outputs).filter(([name]) => name.startsWith('worker '));
    expect(workers).toHaveLength(2);
    for (const [name, output] of workers) expect(output(), name).toMatch(/WebSocket frames and messages larger than \d+ bytes are refused as they arrive/);
  });

  it('the kiosk connects over wss:// with its token and shows the API content through nginx; a reset from the admin reloads it and its ack is shown', async () => {
    const context = await browser!.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(kioskUrl);
    await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 });
    const status = async (url: string) => {
      const key = new URL(url).hash.replace('#key=', '');
      return (await (await fetch(new URL('/status', url), { headers: { 'X-Kiosk-Key': key } })).json()) as { uplink: { state: string; connects: number; lastError: string | null }; api: { failures: number } };
    };
    await waitFor(async () => (await status(kioskUrl)).uplink.state === 'open', { timeoutMs: 15_000, what: 'the uplink open' });
    const online = async () => (JSON.parse((await manage('kiosk_fleet_status')).trim().split('\n').at(-1) ?? '{}') as { kiosks: Record<string, { online: boolean }> }).kiosks['lobby-1']?.online;
    await waitFor(async () => (await online()) === true, { timeoutMs: 15_000, what: 'lobby-1 online' });

    const adminContext: BrowserContext = await browser!.newContext({ ignoreHTTPSErrors: true }); // the browser is not what trusts the CA here
    const adminPage: Page = await adminContext.newPage();
    await adminPage.goto(`${origin()}/admin/login/?next=/admin/kiosk_fleet/kiosk/`);
    await adminPage.fill('#id_username', admin.username);
    await adminPage.fill('#id_password', admin.password);
    await Promise.all([adminPage.waitForURL(/\/admin\/kiosk_fleet\/kiosk\/$/), adminPage.click('input[type="submit"]')]);
    await adminPage.getByText('1 of 1 online').first().waitFor({ timeout: 10_000 });

    let loads = 0;
    page.on('load', () => loads++);
    await adminPage.getByRole('button', { name: 'Reset all kiosks' }).click();
    await Promise.all([adminPage.waitForURL(/\/admin\/kiosk_fleet\/command\/.+\/change\/$/), adminPage.getByRole('button', { name: 'Yes, reset 1 kiosk' }).click()]);
    await waitFor(() => loads === 1, { timeoutMs: 20_000, what: 'the kiosk page to reload' });
    await page.waitForSelector('#root[data-screen="home"] [data-testid="event"]', { timeout: 20_000 });
    await adminPage.waitForFunction(() => document.body.innerText.includes('1 of 1 reloaded'), undefined, { timeout: 30_000 });
    expect((await status(kioskUrl)).api.failures).toBe(0);

    // The admin's cookies are for HTTPS only: Django saw the request as secure.
    const cookies = await adminContext.cookies(origin());
    expect(cookies.find((c) => c.name === 'sessionid')).toMatchObject({ secure: true, httpOnly: true });
    expect(cookies.find((c) => c.name === 'csrftoken')).toMatchObject({ secure: true });
    // CSRF on HTTPS: the form posts with the site's origin as Referer pass; another site's,
    // or none, are refused (Django checks the Referer only on requests it sees as HTTPS).
    const csrf = cookies.find((c) => c.name === 'csrftoken')?.value ?? '';
    const post = (headers: Record<string, string>) =>
      adminPage.request.post(`${origin()}/admin/kiosk_fleet/kiosk/reset-all/`, { form: { csrfmiddlewaretoken: csrf }, headers, maxRedirects: 0 });
    expect((await post({ Referer: `${origin()}/admin/kiosk_fleet/kiosk/` })).status()).toBe(200); // the confirmation page, nothing sent
    expect((await post({ Referer: 'https://evil.example/' })).status()).toBe(403);
    expect((await post({})).status()).toBe(403);
    await adminContext.close();
    await context.close();

    // Without the CA the same kiosk never connects: TLS is verified, and the CA is what passes it.
    const refused = await status(untrustingUrl);
    expect(refused.uplink.connects).toBe(0);
    expect(refused.uplink.lastError ?? '').toMatch(/CERT|SELF_SIGNED|UNABLE_TO/);
  }, 90_000);

  it('nginx serves only the site\'s name, redirects plain HTTP without proxying it, and logs no token', async () => {
    await expect(httpsRequest(httpsPort, ca, '/admin/login/', { servername: 'evil.example', headers: { Host: 'evil.example' } })).rejects.toThrow();
    await expect(httpsRequest(httpsPort, ca, '/admin/login/', { headers: { Host: 'evil.example' } })).rejects.toThrow(/socket hang up|ECONNRESET/);
    const plain = await httpRequest(httpPort, '/admin/login/', { Host: HOST, 'X-Forwarded-Proto': 'https' });
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe(`https://${HOST}/admin/login/`);

    // nginx logs a WebSocket when it ends: stop the kiosk (it closes its uplink).
    await stop(kiosk);
    const accessLog = () => readFileSync(path.join(nginxDir, 'kiosk-fleet.access.log'), 'utf8');
    await waitFor(() => /"GET \/ws\/kiosk\/ HTTP\/1\.1" 101 /.test(accessLog()), { timeoutMs: 10_000, what: 'the kiosk\'s WebSocket in the access log' });
    const access = accessLog();
    const logs = readdirSync(nginxDir).filter((f) => f.endsWith('.log'));
    expect(access).toMatch(/"GET \/api\/events\/[^"]* HTTP\/1\.1" 200 /);
    for (const file of logs) expect(readFileSync(path.join(nginxDir, file), 'utf8'), file).not.toContain(token);
    for (const [name, output] of Object.entries(outputs)) expect(output(), name).not.toContain(token);

    // A WebSocket handshake anywhere but /ws/kiosk/ reaches the workers as a plain GET.
    const handshake = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Version': '13' };
    expect((await httpsRequest(httpsPort, ca, '/admin/login/', { headers: handshake })).status).toBe(200);
    // Logins are limited per address: a burst, then 429.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await httpsRequest(httpsPort, ca, '/admin/login/')).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
  });
});
