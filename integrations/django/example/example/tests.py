"""The example project's settings from the environment (example.environment, settings.py,
manage.py, asgi.py): what each variable turns into, what stops the start, and what the
production profile does to real requests.

Settings are read once per process, so most tests run manage.py (or daphne) in a subprocess
with exactly the environment they give it.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import django
from django.contrib.auth import get_user_model
from django.test import Client, SimpleTestCase, TestCase, override_settings

from example.environment import SettingError, csrf_trusted_origins, database_from_url, deployment, env_bool, redacted, redis_url

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-" + secrets.token_hex(8)
PRODUCTION_ENV = {
    "DJANGO_BEHIND_TLS_PROXY": "1",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "kiosks.example.org,127.0.0.1",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kiosks.example.org",
    # Several workers share one fleet through Redis (check does not connect to it; without
    # it, check --deploy warns kiosk_fleet.W001: the in-memory layer is one process only).
    "KIOSK_REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run(args, env, timeout=60, module=False):
    """``manage.py ARGS`` (or ``python -m ARGS``) with only ``env`` and the basics; a CompletedProcess."""
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/tmp"), **env}
    command = [sys.executable, "-m", *args] if module else [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=PROJECT, env=full_env, capture_output=True, text=True, timeout=timeout)


def settings_under(env, *names):
    """The values of settings ``names`` in a process started with ``env``."""
    script = "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n, None) for n in %r}))" % (names,)
    result = run(["shell", "-c", script], env)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DatabaseUrlTests(SimpleTestCase):
    def test_sqlite_paths_are_relative_to_the_project_or_absolute(self):
        self.assertEqual(database_from_url("sqlite:///db.sqlite3", PROJECT)["NAME"], str(PROJECT / "db.sqlite3"))
        absolute = database_from_url("sqlite:////var/lib/kiosk/fleet.sqlite3", PROJECT)
        self.assertEqual(absolute["ENGINE"], "django.db.backends.sqlite3")
        self.assertEqual(absolute["NAME"], "/var/lib/kiosk/fleet.sqlite3")

    def test_postgres_url_gives_every_part_decoded(self):
        db = database_from_url("postgres://fleet:p%40ss%2Fw0rd@db.example.org:6543/kiosk_fleet?sslmode=require", PROJECT)
        self.assertEqual(
            db,
            {
                "ENGINE": "django.db.backends.postgresql", "NAME": "kiosk_fleet", "USER": "fleet", "PASSWORD": "p@ss/w0rd",
                "HOST": "db.example.org", "PORT": "6543", "OPTIONS": {"sslmode": "require", "connect_timeout": "10"},
            },
        )

    def test_postgres_socket_directory_and_defaults(self):
        db = database_from_url("postgresql://kiosk@%2Frun%2FPostgreSQL/fleet?connect_timeout=3", PROJECT)
        self.assertEqual((db["HOST"], db["PORT"], db["USER"], db["PASSWORD"]), ("/run/PostgreSQL", "", "kiosk", ""))
        self.assertEqual(db["OPTIONS"], {"connect_timeout": "3"})

    def test_malformed_urls_name_the_variable_and_hide_the_password(self):
        for url in [
            "db.sqlite3",
            "mysql://u:hunter2@h/db",
            "postgres://u:hunter2@h:port/db",
            "postgres://u:hunter2@h:5432/",
            "postgres://u:hunter2@h/db?sslmod=require",
            "sqlite://",
            "sqlite:///",
            "sqlite://host/db.sqlite3",
        ]:
            with self.subTest(url=url), self.assertRaises(SettingError) as caught:
                database_from_url(url, PROJECT)
            self.assertTrue(str(caught.exception).startswith("DATABASE_URL is malformed"), caught.exception)
            self.assertNotIn("hunter2", str(caught.exception))

    def test_no_part_of_a_password_or_the_query_is_in_a_message(self):
        # Unencoded /, ?, # or @ in a password make URL parsers cut the user-info short, and
        # what they cut off reads as a port; the query may hold sslpassword=.
        for url, secrets_ in [
            ("postgres://kiosk:pa55/w0rd+x@db/kiosk", ["pa55", "w0rd"]),
            ("postgres://kiosk:pa55?w0rd#z@db:54x2/kiosk", ["pa55", "w0rd"]),
            ("postgres://kiosk@db/kiosk?sslpassword=KEYPASS&sslmod=require", ["KEYPASS"]),
        ]:
            with self.subTest(url=url), self.assertRaises(SettingError) as caught:
                database_from_url(url, PROJECT)
            for secret in secrets_:
                self.assertNotIn(secret, str(caught.exception))
        for value in ["redis://:pa55/w0rd@host:63x9/0", "redis://:pa55?w0rd@host:6379/0"]:
            with self.subTest(value=value), self.assertRaises(SettingError) as caught:
                redis_url({"KIOSK_REDIS_URL": value.replace("6379", "63x9")})
            self.assertNotIn("pa55", str(caught.exception))
            self.assertNotIn("w0rd", str(caught.exception))
        self.assertEqual(redacted("postgres://u:a/b@db.example.org:5432/kiosk?sslpassword=x"), "postgres://***@db.example.org:5432/kiosk")


class TrustedOriginTests(SimpleTestCase):
    def test_origins_for_django_4_and_host_names_for_3_2(self):
        value = "https://kiosks.example.org, https://*.cityhall.example:8443"
        self.assertEqual(csrf_trusted_origins(value, django_version=(4, 2)), ["https://kiosks.example.org", "https://*.cityhall.example:8443"])
        self.assertEqual(csrf_trusted_origins(value, django_version=(3, 2)), ["kiosks.example.org", ".cityhall.example:8443"])

    def test_anything_but_an_origin_is_refused(self):
        for value in ["kiosks.example.org", "https://kiosks.example.org/admin/", "ftp://x.example", "https://"]:
            with self.subTest(value=value), self.assertRaisesRegex(SettingError, "^DJANGO_CSRF_TRUSTED_ORIGINS"):
                csrf_trusted_origins(value)


class DeploymentTests(SimpleTestCase):
    def test_what_production_means(self):
        for env, expected in [
            ({}, (False, False)),
            ({"DJANGO_BEHIND_TLS_PROXY": "1"}, (False, True)),
            ({"DJANGO_BEHIND_TLS_PROXY": "1", "DJANGO_DEBUG": "1", "DJANGO_ENV": "development"}, (True, False)),  # debugging behind a proxy, said out loud
            ({"DJANGO_ENV": "production"}, (False, True)),
            ({"DJANGO_ENV": "development", "DJANGO_BEHIND_TLS_PROXY": "yes"}, (False, False)),
        ]:
            with self.subTest(env=env):
                self.assertEqual(deployment(env), expected)

    def test_contradictions_and_typos_are_refused_by_name(self):
        for env, name in [
            ({"DJANGO_ENV": "production", "DJANGO_DEBUG": "on"}, "DJANGO_DEBUG"),
            ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
            ({"DJANGO_BEHIND_TLS_PROXY": "1", "DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"),  # the proxy's env file with DEBUG added
            ({"DJANGO_BEHIND_TLS_PROXY": "ture"}, "DJANGO_BEHIND_TLS_PROXY"),
        ]:
            with self.subTest(env=env), self.assertRaisesRegex(SettingError, "^" + name):
                deployment(env)
        self.assertFalse(env_bool({"DJANGO_DEBUG": ""}, "DJANGO_DEBUG"))

    def test_redis_url(self):
        self.assertEqual(redis_url({"KIOSK_REDIS_URL": " redis://127.0.0.1:6379/0 "}), "redis://127.0.0.1:6379/0")
        self.assertIsNone(redis_url({}))
        for value in ["127.0.0.1:6379", "http://127.0.0.1:6379", "redis://:hunter2@127.0.0.1:63x9/0"]:
            with self.subTest(value=value), self.assertRaisesRegex(SettingError, "^KIOSK_REDIS_URL is malformed") as caught:
                redis_url({"KIOSK_REDIS_URL": value})
            self.assertNotIn("hunter2", str(caught.exception))


class StartTests(SimpleTestCase):
    """The environment as manage.py and daphne see it."""

    def test_database_url_and_the_old_db_path(self):
        sqlite = settings_under({"DATABASE_URL": "sqlite:////tmp/kiosk-url.sqlite3"}, "DATABASES")["DATABASES"]["default"]
        self.assertEqual((sqlite["ENGINE"], sqlite["NAME"]), ("django.db.backends.sqlite3", "/tmp/kiosk-url.sqlite3"))
        self.assertEqual((sqlite["CONN_MAX_AGE"], sqlite["CONN_HEALTH_CHECKS"]), (60, True))
        postgres = settings_under({"DATABASE_URL": "postgres://fleet:pw@db.example.org/kiosk"}, "DATABASES")["DATABASES"]["default"]
        self.assertEqual(
            (postgres["ENGINE"], postgres["NAME"], postgres["HOST"], postgres["USER"], postgres["CONN_HEALTH_CHECKS"]),
            ("django.db.backends.postgresql", "kiosk", "db.example.org", "fleet", True),
        )
        self.assertIsNone(postgres["TEST"]["NAME"])  # test_kiosk on the same server, not a SQLite file
        old = settings_under({"DJANGO_DB_PATH": "/tmp/kiosk-old.sqlite3"}, "DATABASES")["DATABASES"]["default"]
        self.assertEqual(old["NAME"], "/tmp/kiosk-old.sqlite3")
        default = settings_under({}, "DATABASES")["DATABASES"]["default"]
        self.assertEqual((default["ENGINE"], default["NAME"]), ("django.db.backends.sqlite3", str(PROJECT / "db.sqlite3")))

    def test_a_malformed_database_url_stops_manage_py_naming_it(self):
        result = run(["check"], {"DATABASE_URL": "postgres://fleet:hunter2@db.example.org:54x2/kiosk"})
        self.assertEqual(result.returncode, 1)
        self.assertIn("DATABASE_URL is malformed", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertNotIn("hunter2", result.stderr)

    def test_production_needs_a_secret_key(self):
        for env in [{"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "kiosks.example.org"}, {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}]:
            with self.subTest(env=env):
                result = run(["check"], env)
                self.assertEqual(result.returncode, 1)
                self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)
                self.assertNotIn("Traceback", result.stderr)
        # Development goes on with a warning.
        result = run(["check"], {})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("DJANGO_SECRET_KEY is not set: using an insecure development key", result.stderr)

    def test_check_deploy_is_clean_in_the_production_profile(self):
        result = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)
        # The same site without the proxy settings would be served over plain HTTP: warned about.
        plain = run(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION_ENV, "DJANGO_BEHIND_TLS_PROXY": "0", "DJANGO_ENV": "production"})
        self.assertNotEqual(plain.returncode, 0)
        self.assertIn("security.W004", plain.stderr)  # no HSTS
        # And without Redis, the fleet would be one worker's: warned about too.
        alone = run(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION_ENV, "KIOSK_REDIS_URL": ""})
        self.assertNotEqual(alone.returncode, 0)
        self.assertIn("kiosk_fleet.W001", alone.stderr)

    def test_a_worker_that_cannot_reach_postgres_or_redis_or_is_misconfigured_exits_naming_the_variable(self):
        database = f"postgres://fleet:hunter2@127.0.0.1:{closed_port()}/kiosk"
        sqlite = tempfile.TemporaryDirectory()
        self.addCleanup(sqlite.cleanup)
        for env, variable in [
            ({"DATABASE_URL": database}, "DATABASE_URL: cannot reach the database"),
            ({"DATABASE_URL": database.replace("/kiosk", "/kiosk/x")}, "DATABASE_URL is malformed"),
            ({"DATABASE_URL": f"sqlite:///{sqlite.name}/db.sqlite3", "KIOSK_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}, "KIOSK_REDIS_URL: cannot reach Redis"),
        ]:
            with self.subTest(variable=variable):
                daphne = run(["daphne", "-b", "127.0.0.1", "-p", "0", "example.asgi:application"], {"DJANGO_SECRET_KEY": "x", **env}, timeout=30, module=True)
                self.assertEqual(daphne.returncode, 1)
                self.assertIn(variable, daphne.stderr)
                self.assertNotIn("hunter2", daphne.stderr)
        # Commands that need no database still run (check is the deployment's first step).
        self.assertEqual(run(["check"], {"DATABASE_URL": database}).returncode, 0)


class ProductionRequestTests(TestCase):
    """Real requests under the settings a production environment gives (read from a subprocess)."""

    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)

    def production(self, **env):
        names = ["ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                 "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
        values = settings_under({**PRODUCTION_ENV, **env}, *names)
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
        return override_settings(**values)

    def login(self, origin):
        # The proxy forwards to daphne at 127.0.0.1 without passing the public Host on: only
        # CSRF_TRUSTED_ORIGINS makes the public origin acceptable.
        client = Client(enforce_csrf_checks=True)
        https = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
        page = client.get("/admin/login/", **https)
        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.cookies["csrftoken"]["secure"])
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": page.cookies["csrftoken"].value, "next": "/admin/"},
            HTTP_ORIGIN=origin, HTTP_REFERER=origin + "/admin/login/", **https,
        )

    def test_admin_login_from_the_trusted_origin_behind_the_proxy(self):
        with self.production():
            response = self.login("https://kiosks.example.org")
        self.assertEqual((response.status_code, response["Location"]), (302, "/admin/"))
        self.assertTrue(response.cookies["sessionid"]["secure"])

    def test_admin_login_from_an_origin_not_trusted_is_refused(self):
        with self.production(DJANGO_CSRF_TRUSTED_ORIGINS="https://other.example.org"):
            response = self.login("https://kiosks.example.org")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("sessionid", response.cookies)

    def test_https_only_with_hsts(self):
        with self.production():
            plain = self.client.get("/admin/login/", HTTP_HOST="kiosks.example.org")
            secure = self.client.get("/admin/login/", HTTP_HOST="kiosks.example.org", HTTP_X_FORWARDED_PROTO="https")
        self.assertEqual((plain.status_code, plain["Location"]), (301, "https://kiosks.example.org/admin/login/"))
        self.assertEqual(secure["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload")

    def test_the_installed_django_checks_what_the_settings_were_written_for(self):
        # 3.2 compares the Referer's host on HTTPS, 4.0 and later the Origin: the same
        # environment must give each the form it reads.
        trusted = settings_under(PRODUCTION_ENV, "CSRF_TRUSTED_ORIGINS")["CSRF_TRUSTED_ORIGINS"]
        self.assertEqual(trusted, ["https://kiosks.example.org"] if django.VERSION >= (4, 0) else ["kiosks.example.org"])


class WebsocketRoutingTests(SimpleTestCase):
    databases = {"default"}  # importing example.asgi checks that the database answers

    def test_a_handshake_for_another_path_is_refused_without_an_error(self):
        from asgiref.sync import async_to_sync
        from channels.testing import WebsocketCommunicator

        from example.asgi import application  # imported here: it checks the services at import

        async def handshake(path):
            communicator = WebsocketCommunicator(application, path)
            # Without the catch-all route, Channels' router raises here ("No route found").
            connected, _ = await communicator.connect()
            await communicator.disconnect()
            return connected

        for path in ["/ws/elsewhere/", "/admin/", "/ws/kiosk/extra"]:
            with self.subTest(path=path):
                self.assertFalse(async_to_sync(handshake)(path))
