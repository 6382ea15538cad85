// kiosk_fleet as a package: `pip install` of integrations/django into a virtual environment
// (Debian's pip and setuptools, with the system's Django, Channels and daphne, and no
// package index), then a site of its own outside the repository: `python -m django check`,
// migrations, templates, static files and the Spanish catalogue all come from the installed
// copy, and the deploy checks flag the in-memory channel layer.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_DIR, PYTHON } from '../support/django.ts';

const run = promisify(execFile);

const SITE_SETTINGS = `
SECRET_KEY = "packaging-test-only"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "rest_framework", "kiosk_fleet",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
ASGI_APPLICATION = "site_asgi.application"
ROOT_URLCONF = "site_urls"
STATIC_URL = "/static/"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
`;

const PROBE = `
import os, sys, django
django.setup()
import kiosk_fleet
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils import translation
site = os.path.realpath(sys.argv[1])
assert os.path.realpath(kiosk_fleet.__file__).startswith(site), kiosk_fleet.__file__
for name in ("admin/kiosk_fleet/kiosk/change_list.html", "admin/kiosk_fleet/command/status.html"):
    assert os.path.realpath(get_template(name).origin.name).startswith(site), name
assert os.path.realpath(finders.find("kiosk_fleet/command_status.js")).startswith(site)
with translation.override("es"):
    print("es:", str(django.apps.apps.get_app_config("kiosk_fleet").verbose_name))
print("version:", kiosk_fleet.__version__)
`;

describe('pip install of integrations/django', () => {
  let dir: string;
  let venv: string;
  let env: NodeJS.ProcessEnv;
  const py = (...args: string[]) => run(path.join(venv, 'bin', 'python'), args, { cwd: path.join(dir, 'site'), env, timeout: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-fleet-pip-'));
    // From a copy: pip builds in the source tree (build/, *.egg-info), which is not ours to litter.
    const source = path.join(dir, 'source');
    for (const name of ['pyproject.toml', 'README.md', 'kiosk_fleet']) {
      cpSync(path.join(FLEET_DIR, name), path.join(source, name), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    }
    venv = path.join(dir, 'venv');
    await run(PYTHON, ['-m', 'venv', '--system-site-packages', venv], { timeout: 60_000 });
    await run(path.join(venv, 'bin', 'pip'), ['install', '-q', '--no-build-isolation', '--no-index', source], { timeout: 120_000 });
    rmSync(source, { recursive: true }); // whatever works below works without the sources
    const site = path.join(dir, 'site');
    mkdirSync(site);
    writeFileSync(path.join(site, 'site_settings.py'), SITE_SETTINGS);
    writeFileSync(path.join(site, 'site_urls.py'), 'from django.contrib import admin\nfrom django.urls import path\nurlpatterns = [path("admin/", admin.site.urls)]\n');
    writeFileSync(
      path.join(site, 'site_asgi.py'),
      'from django.core.asgi import get_asgi_application\napp = get_asgi_application()\n' +
        'from channels.routing import ProtocolTypeRouter, URLRouter\nfrom kiosk_fleet.routing import websocket_urlpatterns\n' +
        'application = ProtocolTypeRouter({"http": app, "websocket": URLRouter(websocket_urlpatterns)})\n',
    );
    env = { PATH: `${path.join(venv, 'bin')}:${process.env.PATH}`, HOME: process.env.HOME, LANG: 'C.UTF-8', PYTHONPATH: site, DJANGO_SETTINGS_MODULE: 'site_settings' };
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs a version, and a site outside the repository passes django-admin check', async () => {
    const { stdout } = await py('-m', 'django', 'check');
    expect(stdout).toContain('System check identified no issues');
    const { stdout: shown } = await run(path.join(venv, 'bin', 'pip'), ['show', 'kiosk-fleet'], { env });
    expect(shown).toMatch(/^Version: \d+\.\d+\.\d+$/m);
  });

  it('migrates, and finds its templates, static files and Spanish catalogue in the installed copy', async () => {
    await py('-m', 'django', 'migrate', '-v', '0');
    const { stdout } = await py('-c', PROBE, venv);
    expect(stdout).toContain('es: Flota de quioscos');
  });

  it('flags the in-memory channel layer in the deploy checks, with a hint', async () => {
    const result = await py('-m', 'django', 'check', '--deploy').catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('kiosk_fleet.W001');
    expect(output).toContain('channels_redis');
  });

  it('installs the kiosk-fleet-daphne launcher', async () => {
    const { stdout } = await run(path.join(venv, 'bin', 'kiosk-fleet-daphne'), ['--help'], { env });
    expect(stdout).toContain("kiosk_fleet's WebSocket size limits");
  });
});
