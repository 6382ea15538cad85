// `npm run test:django`: the Django suite (integrations/django/example) on SQLite, the
// development default, and on a throwaway PostgreSQL cluster (test/support/postgres.ts)
// through DATABASE_URL, both at once (each is mostly one busy process; two cores run them
// side by side), each one's output printed whole when it ends. Either failing fails the run.
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

/** `manage.py test` in `env`; its exit code and everything it printed. */
function manageTest(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['manage.py', 'test', '--noinput', ...testArgs], { cwd: DJANGO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
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

async function run(engine: Engine): Promise<string> {
  const started = Date.now();
  let result: { code: number; output: string };
  if (engine === 'postgres') {
    postgres = await startPostgres();
    try {
      result = await manageTest({ ...base, DATABASE_URL: postgres.url });
    } finally {
      await postgres.stop();
      postgres = undefined;
    }
  } else {
    result = await manageTest(base);
  }
  process.stderr.write(`── test-django: ${engine}\n${result.output}`);
  failed ||= result.code !== 0;
  return `${engine}: ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

let failed = false;
const results = await Promise.all(engines.map(run));
console.error(`test-django: ${results.join('; ')}`);
process.exit(failed ? 1 : 0);
