// `npm run test:django`: the Django suite (integrations/django/example) on SQLite, the
// development default, and then on a throwaway PostgreSQL cluster (test/support/postgres.ts)
// through DATABASE_URL. Either failing fails the run.
//   node scripts/test-django.ts [--only sqlite|postgres] [manage.py test arguments...]
// Arguments default to the suite's apps, `kiosk_fleet content example`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type Postgres } from '../test/support/postgres.ts';

const DJANGO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'integrations', 'django', 'example');
const ENGINES = ['sqlite', 'postgres'] as const;
type Engine = (typeof ENGINES)[number];

const args = process.argv.slice(2);
let engines: readonly Engine[] = ENGINES;
const only = args.indexOf('--only');
if (only !== -1) {
  const engine = args[only + 1];
  if (engine !== 'sqlite' && engine !== 'postgres') {
    console.error('usage: node scripts/test-django.ts [--only sqlite|postgres] [manage.py test arguments...]');
    process.exit(2);
  }
  engines = [engine];
  args.splice(only, 2);
}
const testArgs = args.some((a) => !a.startsWith('-')) ? args : ['kiosk_fleet', 'content', 'example', ...args];

function manageTest(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['manage.py', 'test', '--noinput', ...testArgs], { cwd: DJANGO_DIR, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// The suite's environment: nothing from the caller's database or deployment settings leaks in.
const base: NodeJS.ProcessEnv = { ...process.env, DJANGO_SECRET_KEY: 'tests-only-not-secret' };
for (const name of ['DATABASE_URL', 'DJANGO_DB_PATH', 'DJANGO_ENV', 'DJANGO_BEHIND_TLS_PROXY', 'DJANGO_DEBUG', 'KIOSK_REDIS_URL']) delete base[name];

let postgres: Postgres | undefined;
const stopOnSignal = (signal: NodeJS.Signals) => {
  void (postgres?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

const results: string[] = [];
let failed = false;
for (const engine of engines) {
  const started = Date.now();
  let code: number;
  if (engine === 'postgres') {
    postgres = await startPostgres();
    console.error(`test-django: PostgreSQL at ${postgres.url.replace(/:[^:@/]*@/, ':***@')}`);
    try {
      code = await manageTest({ ...base, DATABASE_URL: postgres.url });
    } finally {
      await postgres.stop();
      postgres = undefined;
    }
  } else {
    code = await manageTest(base);
  }
  failed ||= code !== 0;
  results.push(`${engine}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.error(`test-django: ${results.join('; ')}`);
process.exit(failed ? 1 : 0);
