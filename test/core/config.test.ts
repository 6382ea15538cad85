// The config loader: layers (defaults < file < environment < command line), token
// files, and problem reports that name every problem by key path and never a secret.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KIOSK_ID, loadConfig, type ConfigSources, type LoadedConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { credentialOf } from '../../core/secret-forms.ts';
import { newToken } from '../support/kiosk.ts';

type Layer = Record<string, unknown>;

const WS_URL = 'wss://pubsub.example.org/ws/kiosk/';
const API_URL = 'https://cms.example.org/api/';

let dir: string;
let wsToken: string;
let apiToken: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kiosk-config-'));
  wsToken = newToken('ws');
  apiToken = newToken('api');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function upstream(ws: Layer = {}, api: Layer = {}): Layer {
  return { ws: { url: WS_URL, token: wsToken, ...ws }, api: { url: API_URL, token: apiToken, ...api } };
}

/** Writes a config file (an object as JSON, a string as is) and returns its path. */
function writeConfig(content: Layer | string, name = 'kiosk.json'): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function writeSecret(name: string, content: string, mode = 0o600): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

/** Loads with an empty environment unless one is given: the test machine's KIOSK_* must not leak in. */
function load(sources: ConfigSources): LoadedConfig {
  return loadConfig({ env: {}, ...sources });
}

/** The problems of a config that must be refused. */
function problemsOf(sources: ConfigSources): string[] {
  try {
    load(sources);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

/** The error itself, for checks on its whole message. */
function errorOf(sources: ConfigSources): ConfigError {
  try {
    load(sources);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

function keyPaths(problems: readonly string[]): string[] {
  return problems.map((problem) => problem.slice(0, problem.indexOf(': ')));
}

function expectNoSecret(text: string, ...tokens: string[]): void {
  for (const token of tokens) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(credentialOf(token));
  }
}

describe('layers: defaults < file < environment < command line', () => {
  it('fills in every default the file leaves out', () => {
    const { config, demo } = load({ configPath: writeConfig({ kioskId: 'k1', upstream: upstream() }) });
    expect(demo).toBe(false);
    expect(config.groups).toEqual([]);
    expect(config.server.port).toBe(0);
    expect(config.relay).toEqual({ allowUp: [], maxPayloadBytes: 65536, maxBufferedBytes: 1024 * 1024, heartbeatSeconds: 15 });
    expect(config.reset).toEqual({ minIntervalSeconds: 10, staggerSeconds: 0 });
    expect(config.idle.returnHomeSeconds).toBe(120);
    expect(config.status.intervalSeconds).toBe(30);
    expect(config.upstream?.ws).toMatchObject({ tokenHeader: 'Authorization', heartbeatSeconds: 30 });
    expect(config.upstream?.api).toMatchObject({ tokenHeader: 'Authorization', timeoutSeconds: 15 });
  });

  it('lets the file override the defaults layer, keeping what the file does not set', () => {
    const file = writeConfig({ kioskId: 'from-file', relay: { maxPayloadBytes: 2048 }, upstream: upstream() });
    const { config } = load({ defaults: { kioskId: 'from-defaults', groups: ['from-defaults'] }, configPath: file });
    expect(config.kioskId).toBe('from-file');
    expect(config.groups).toEqual(['from-defaults']);
    expect(config.relay.maxPayloadBytes).toBe(2048);
    expect(config.relay.maxBufferedBytes).toBe(1024 * 1024);
  });

  it('lets each KIOSK_* variable override the file, leaving the file\'s other settings', () => {
    const file = writeConfig({
      kioskId: 'from-file',
      groups: ['lobby'],
      upstream: upstream({ tokenHeader: 'X-Ws-Auth' }, { timeoutSeconds: 7 }),
    });
    const env = {
      KIOSK_ID: 'from-env',
      KIOSK_WS_URL: 'wss://env.example.org/ws/',
      KIOSK_WS_TOKEN: 'Token env-ws-0123456789abcdef',
      KIOSK_API_URL: 'https://env.example.org/api/',
      KIOSK_API_TOKEN: 'Token env-api-0123456789abcdef',
    };
    const { config } = load({ configPath: file, env });
    expect(config.kioskId).toBe('from-env');
    expect(config.groups).toEqual(['lobby']);
    expect(config.upstream?.ws).toMatchObject({ url: env.KIOSK_WS_URL, token: env.KIOSK_WS_TOKEN, tokenHeader: 'X-Ws-Auth' });
    expect(config.upstream?.api).toMatchObject({ url: env.KIOSK_API_URL, token: env.KIOSK_API_TOKEN, timeoutSeconds: 7 });
  });

  it('ignores empty KIOSK_* variables', () => {
    const file = writeConfig({ kioskId: 'from-file', upstream: upstream() });
    const { config } = load({ configPath: file, env: { KIOSK_ID: '', KIOSK_WS_TOKEN: '  ' } });
    expect(config.kioskId).toBe('from-file');
    expect(config.upstream?.ws.token).toBe(wsToken);
  });

  it('reads the file KIOSK_CONFIG names, and --config wins over it', () => {
    const fromEnv = writeConfig({ kioskId: 'named-by-env', upstream: upstream() }, 'env.json');
    const fromFlag = writeConfig({ kioskId: 'named-by-flag', upstream: upstream() }, 'flag.json');
    const byEnv = load({ env: { KIOSK_CONFIG: fromEnv } });
    expect(byEnv.config.kioskId).toBe('named-by-env');
    expect(byEnv.file).toBe(fromEnv);
    const byFlag = load({ configPath: fromFlag, env: { KIOSK_CONFIG: fromEnv } });
    expect(byFlag.config.kioskId).toBe('named-by-flag');
    expect(byFlag.file).toBe(fromFlag);
  });

  it('lets the command line override the environment', () => {
    const file = writeConfig({ kioskId: 'from-file', server: { port: 8001 }, upstream: upstream() });
    const { config } = load({ configPath: file, env: { KIOSK_ID: 'from-env' }, cli: { kioskId: 'from-cli', server: { port: 8002 } } });
    expect(config.kioskId).toBe('from-cli');
    expect(config.server.port).toBe(8002);
  });

  it('replaces arrays rather than merging them', () => {
    const file = writeConfig({ kioskId: 'k1', groups: ['a', 'b'], upstream: upstream() });
    expect(load({ configPath: file, cli: { groups: ['c'] } }).config.groups).toEqual(['c']);
  });
});

describe('token files', () => {
  it('lets an environment token replace the file\'s tokenFile (even one that does not exist)', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: { ws: { url: WS_URL, tokenFile: 'missing.token' }, api: { url: API_URL, token: apiToken } } });
    const { config } = load({ configPath: file, env: { KIOSK_WS_TOKEN: wsToken } });
    expect(config.upstream?.ws.token).toBe(wsToken);
    expect(config.upstream?.ws.tokenFile).toBeUndefined();
  });

  it('reads tokenFile relative to the config file, not the working directory, trimming one trailing newline', () => {
    writeSecret('conf/secrets/ws.token', `${wsToken}\n`);
    writeSecret('api.token', `${apiToken}\r\n`);
    const file = writeConfig(
      { kioskId: 'k1', upstream: { ws: { url: WS_URL, tokenFile: 'secrets/ws.token' }, api: { url: API_URL, tokenFile: '../api.token' } } },
      'conf/kiosk.json',
    );
    expect(path.relative(process.cwd(), dir).startsWith('..')).toBe(true);
    const { config, warnings } = load({ configPath: file });
    expect(config.upstream?.ws.token).toBe(wsToken);
    expect(config.upstream?.api.token).toBe(apiToken);
    expect(warnings).toEqual([]);
  });

  it('warns, naming the exact chmod, when the token file\'s group can read it', () => {
    const wsFile = writeSecret('ws.token', wsToken, 0o640);
    const apiFile = writeSecret('api.token', apiToken, 0o660);
    const file = writeConfig({ kioskId: 'k1', upstream: { ws: { url: WS_URL, tokenFile: 'ws.token' }, api: { url: API_URL, tokenFile: 'api.token' } } });
    const { warnings, config } = load({ configPath: file });
    expect(warnings).toEqual([
      `upstream.ws.tokenFile: ${wsFile} can be read by its group; run: chmod 600 '${wsFile}'`,
      `upstream.api.tokenFile: ${apiFile} can be read by its group; run: chmod 600 '${apiFile}'`,
    ]);
    expectNoSecret(warnings.join('\n'), wsToken, apiToken);
    // A warning, not a refusal: the kiosk still runs with the token.
    expect(config.upstream?.ws.token).toBe(wsToken);
  });

  it('refuses, naming the exact chmod, a token file other users can read or write', () => {
    const wsFile = writeSecret('ws.token', wsToken, 0o644);
    const apiFile = writeSecret('api.token', apiToken, 0o602);
    const file = writeConfig({ kioskId: 'k1', upstream: { ws: { url: WS_URL, tokenFile: 'ws.token' }, api: { url: API_URL, tokenFile: 'api.token' } } });
    const problems = problemsOf({ configPath: file });
    expect(problems).toEqual([
      `upstream.ws.tokenFile: ${wsFile} can be read or written by other users; run: chmod 600 '${wsFile}' (or set policy.allowReadableTokenFile)`,
      `upstream.api.tokenFile: ${apiFile} can be read or written by other users; run: chmod 600 '${apiFile}' (or set policy.allowReadableTokenFile)`,
    ]);
    expectNoSecret(problems.join('\n'), wsToken, apiToken);
  });

  it('accepts a token file other users can read when the policy says so, with a warning', () => {
    writeSecret('ws.token', wsToken, 0o644);
    writeSecret('api.token', apiToken, 0o600);
    const file = writeConfig({
      kioskId: 'k1',
      policy: { allowReadableTokenFile: true },
      upstream: { ws: { url: WS_URL, tokenFile: 'ws.token' }, api: { url: API_URL, tokenFile: 'api.token' } },
    });
    const { warnings, config } = load({ configPath: file });
    expect(config.upstream?.ws.token).toBe(wsToken);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/accepted: policy.allowReadableTokenFile/);
  });

  it('does not warn about a token file only its owner can read', () => {
    writeSecret('ws.token', wsToken, 0o600);
    writeSecret('api.token', apiToken, 0o400);
    const file = writeConfig({ kioskId: 'k1', upstream: { ws: { url: WS_URL, tokenFile: 'ws.token' }, api: { url: API_URL, tokenFile: 'api.token' } } });
    expect(load({ configPath: file }).warnings).toEqual([]);
  });

  it('reports a missing token file by its key path', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({}, { token: undefined, tokenFile: 'nowhere/api.token' }) });
    const problems = problemsOf({ configPath: file });
    expect(problems).toEqual([`upstream.api.tokenFile: cannot read ${path.join(dir, 'nowhere/api.token')}: no such file`]);
  });

  it('reports a token file that is a directory by its key path', () => {
    mkdirSync(path.join(dir, 'token-dir'));
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ token: undefined, tokenFile: 'token-dir' }) });
    expect(keyPaths(problemsOf({ configPath: file }))).toEqual(['upstream.ws.tokenFile']);
  });

  it('refuses a token file holding a line break inside the token, without quoting it', () => {
    writeSecret('ws.token', `${wsToken}\nX-Injected: 1\n`);
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ token: undefined, tokenFile: 'ws.token' }) });
    const error = errorOf({ configPath: file });
    expect(keyPaths(error.problems)).toEqual(['upstream.ws.tokenFile']);
    expect(error.problems[0]).toMatch(/must not contain line breaks/);
    expectNoSecret(error.message, wsToken);
    expect(error.message).not.toContain('X-Injected');
  });

  it('refuses token and tokenFile set in the same layer', () => {
    writeSecret('ws.token', wsToken);
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ tokenFile: 'ws.token' }) });
    expect(problemsOf({ configPath: file })).toEqual(['upstream.ws.tokenFile: set token or tokenFile, not both']);
  });
});

describe('problem reports', () => {
  it('names unknown keys with a "did you mean" hint at every depth', () => {
    const file = writeConfig({
      kioskId: 'k1',
      kioskID: 'typo',
      relay: { allowUpp: [] },
      upstream: upstream({ tokenHeadr: 'Authorization' }),
      zzzzzzzz: true,
    });
    expect(problemsOf({ configPath: file }).sort()).toEqual(
      [
        'kioskID: unknown key; did you mean "kioskId"?',
        'relay.allowUpp: unknown key; did you mean "allowUp"?',
        'upstream.ws.tokenHeadr: unknown key; did you mean "tokenHeader"?',
        'zzzzzzzz: unknown key',
      ].sort(),
    );
  });

  it('reports every problem at once, each by its key path', () => {
    const file = writeConfig({
      kioskId: 'not an id!',
      groups: ['lobby', 'has spaces'],
      server: { port: 70000 },
      relay: { maxPayloadBytes: 10 },
      reset: { minIntervalSeconds: -1 },
      upstream: upstream({ url: 'http://not-a-ws-url/' }, { timeoutSeconds: 0 }),
      extra: 1,
    });
    const error = errorOf({ configPath: file });
    expect(keyPaths(error.problems).sort()).toEqual(
      [
        'kioskId',
        'groups[1]',
        'server.port',
        'relay.maxPayloadBytes',
        'reset.minIntervalSeconds',
        'upstream.ws.url',
        'upstream.api.timeoutSeconds',
        'extra',
      ].sort(),
    );
    for (const problem of error.problems) expect(error.message).toContain(problem);
    expect(error.code).toBe('E_CONFIG');
  });

  it('reports a missing required key as "required"', () => {
    const file = writeConfig({ upstream: upstream({ url: undefined }) });
    expect(problemsOf({ configPath: file }).sort()).toEqual(['kioskId: required', 'upstream.ws.url: required']);
  });

  it('reports an unreadable or non-object config file by name', () => {
    const missing = path.join(dir, 'absent.json');
    expect(problemsOf({ configPath: missing })).toEqual([`config file ${missing}: no such file`]);
    const array = writeConfig('[1, 2]');
    expect(problemsOf({ configPath: array })).toEqual([`config file ${array}: must hold a JSON object`]);
  });

  it('refuses a config file without upstream, however complete the rest is', () => {
    const file = writeConfig({ kioskId: 'k1', groups: ['lobby'] });
    expect(problemsOf({ configPath: file })).toEqual([
      'upstream: required in a config file (only a kiosk started without any config runs the embedded demo)',
    ]);
  });

  it('accepts a config file without upstream when the environment supplies it', () => {
    const file = writeConfig({ kioskId: 'k1' });
    const env = { KIOSK_WS_URL: WS_URL, KIOSK_WS_TOKEN: wsToken, KIOSK_API_URL: API_URL, KIOSK_API_TOKEN: apiToken };
    const loaded = load({ configPath: file, env });
    expect(loaded.demo).toBe(false);
    expect(loaded.config.upstream?.api.token).toBe(apiToken);
  });

  it('runs the demo when there is no file and no upstream anywhere', () => {
    const loaded = load({});
    expect(loaded.demo).toBe(true);
    expect(loaded.config.kioskId).toBe(DEMO_KIOSK_ID);
    expect(loaded.config.upstream).toBeUndefined();
    expect(loaded.file).toBeUndefined();
  });

  it('does not run the demo on half an upstream from the environment', () => {
    const problems = problemsOf({ env: { KIOSK_WS_URL: WS_URL } });
    expect(keyPaths(problems)).toEqual(expect.arrayContaining(['upstream.ws.token', 'upstream.api']));
  });
});

describe('no secret in any problem', () => {
  const brokenJson: [string, (ws: string, api: string) => string][] = [
    ['an unquoted token', (ws) => `{"kioskId": "k1", "upstream": {"ws": {"url": "${WS_URL}", "token": ${ws}}}}`],
    ['a trailing comma after the tokens', (ws, api) => `{"upstream": {"ws": {"token": "${ws}"}, "api": {"token": "${api}"},}}`],
    ['an unterminated token string', (ws) => `{"upstream": {"ws": {"token": "${ws}`],
    ['a comment next to the token', (ws) => `{"upstream": {"ws": {"token": "${ws}" // the token\n}}}`],
    ['a single-quoted token', (ws) => `{'token': '${ws}'}`],
  ];

  it.each(brokenJson)('an invalid JSON file with %s reports only where, never what', (_what, content) => {
    const file = writeConfig(content(wsToken, apiToken));
    const error = errorOf({ configPath: file });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^config file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
    expectNoSecret(error.message, wsToken, apiToken);
  });

  it('a token in the wrong place is refused without being echoed', () => {
    const file = writeConfig({
      kioskId: wsToken,
      groups: [apiToken],
      tokn: wsToken,
      upstream: upstream({ url: wsToken, tokenHeader: apiToken }, { url: apiToken }),
    });
    const error = errorOf({ configPath: file });
    expect(keyPaths(error.problems).sort()).toEqual(
      ['kioskId', 'groups[0]', 'tokn', 'upstream.ws.url', 'upstream.ws.tokenHeader', 'upstream.api.url'].sort(),
    );
    expectNoSecret(error.message, wsToken, apiToken);
  });

  it('a token with a line break from the environment is refused without being echoed', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream() });
    const bad = `${apiToken}\r\nX-Injected: yes`;
    const error = errorOf({ configPath: file, env: { KIOSK_API_TOKEN: bad } });
    expect(error.problems).toEqual(['upstream.api.token: must not contain line breaks or control characters']);
    expectNoSecret(error.message, apiToken);
  });

  it('a URL carrying credentials is refused without echoing them', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ url: 'wss://kiosk:hunter2-password@pubsub.example.org/ws/' }) });
    const error = errorOf({ configPath: file });
    expect(keyPaths(error.problems)).toEqual(['upstream.ws.url']);
    expect(error.message).not.toContain('hunter2-password');
  });
});

describe('what the schema refuses', () => {
  it.each(['Host', 'host', 'X-Kiosk-Key', 'Cookie', 'Origin', 'Connection', 'Upgrade', 'Content-Length', 'Transfer-Encoding', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Key'])(
    'refuses %s as a tokenHeader, on either upstream',
    (header) => {
      const file = writeConfig({ kioskId: 'k1', upstream: upstream({ tokenHeader: header }, { tokenHeader: header }) });
      expect(problemsOf({ configPath: file })).toEqual([
        'upstream.ws.tokenHeader: is a header the relay owns; choose another (usually Authorization)',
        'upstream.api.tokenHeader: is a header the relay owns; choose another (usually Authorization)',
      ]);
    },
  );

  it.each(['Bad Header', 'X-Token:', 'X-Token\r\nX-Injected', ''])('refuses %j, which is not a header name', (header) => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ tokenHeader: header }) });
    expect(keyPaths(problemsOf({ configPath: file }))).toEqual(['upstream.ws.tokenHeader']);
  });

  it('accepts a header of the site\'s own as tokenHeader', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ tokenHeader: 'X-Pubsub-Token' }, { tokenHeader: 'X-Api-Key' }) });
    const { config } = load({ configPath: file });
    expect(config.upstream?.ws.tokenHeader).toBe('X-Pubsub-Token');
    expect(config.upstream?.api.tokenHeader).toBe('X-Api-Key');
  });

  it.each([
    ['CR LF', '\r\nX-Injected: 1'],
    ['LF', '\nX-Injected: 1'],
    ['CR', '\rX-Injected: 1'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
  ])('refuses a token containing %s (header injection)', (_what, suffix) => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ token: `${wsToken}${suffix}` }) });
    const error = errorOf({ configPath: file });
    expect(error.problems).toEqual(['upstream.ws.token: must not contain line breaks or control characters']);
    expectNoSecret(error.message, wsToken);
  });

  it.each([
    ['a euro sign', 'Token \u20ac'],
    ['an emoji', 'Token \u{1F511}'],
    // Node would send it as one byte, which servers decode their own way: it could not be
    // kept out of what an upstream echoes back.
    ['a Latin-1 letter', 'Token caf\u00e9'],
  ])('refuses a token with %s, which does not travel as ASCII', (_what, prefix) => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({}, { token: `${prefix}${credentialOf(apiToken)}` }) });
    const error = errorOf({ configPath: file });
    expect(error.problems).toEqual(['upstream.api.token: must hold only ASCII characters (others travel as bytes each server reads its own way)']);
    expectNoSecret(error.message, apiToken);
  });

  it('refuses an empty token', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({}, { token: '' }) });
    expect(problemsOf({ configPath: file })).toEqual(['upstream.api.token: must not be empty']);
  });

  it('refuses kiosk.* and local.* in relay.allowUp, by index, and keeps the rest', () => {
    const file = writeConfig({ kioskId: 'k1', relay: { allowUp: ['ui.ping', 'kiosk.ack', 'local.reload', 'ui.kiosk.note'] }, upstream: upstream() });
    expect(problemsOf({ configPath: file })).toEqual([
      "relay.allowUp[1]: kiosk.* and local.* messages are the shell's own and cannot be allowed up",
      "relay.allowUp[2]: kiosk.* and local.* messages are the shell's own and cannot be allowed up",
    ]);
    const ok = writeConfig({ kioskId: 'k1', relay: { allowUp: ['ui.ping', 'ui.kiosk.note'] }, upstream: upstream() }, 'ok.json');
    expect(load({ configPath: ok }).config.relay.allowUp).toEqual(['ui.ping', 'ui.kiosk.note']);
  });

  it('refuses a reconnect cap below the base', () => {
    const file = writeConfig({ kioskId: 'k1', upstream: upstream({ reconnectBaseMs: 5000, reconnectCapMs: 1000 }) });
    expect(problemsOf({ configPath: file })).toEqual(['upstream.ws.reconnectCapMs: must be at least reconnectBaseMs']);
  });
});

describe('machine-wide config and packaged builds', () => {
  it('uses the machine-wide file when no --config or KIOSK_CONFIG names one', () => {
    const file = writeConfig({ kioskId: 'machine-1', upstream: upstream() });
    const { config, file: used } = load({ machineConfigPath: file });
    expect(config.kioskId).toBe('machine-1');
    expect(used).toBe(file);
    const other = writeConfig({ kioskId: 'explicit-1', upstream: upstream() }, 'other.json');
    expect(load({ machineConfigPath: file, configPath: other }).config.kioskId).toBe('explicit-1');
  });

  it('a packaged build without any config file is refused with the file to create, not run on the demo', () => {
    const missing = path.join(dir, 'etc', 'kiosk-shell', 'config.json');
    expect(problemsOf({ packaged: true, machineConfigPath: missing })).toEqual([
      `config file: none found; create ${missing} (see docs/deploy.md) or start with --config FILE`,
    ]);
    expect(load({ machineConfigPath: missing }).demo).toBe(true);
  });

  it('a packaged build ignores KIOSK_* overrides unless the file allows them', () => {
    const env = { KIOSK_ID: 'from-env' };
    const strict = writeConfig({ kioskId: 'from-file', upstream: upstream() }, 'strict.json');
    expect(load({ configPath: strict, env, packaged: true }).config.kioskId).toBe('from-file');
    expect(load({ configPath: strict, env }).config.kioskId).toBe('from-env');
    const open = writeConfig({ kioskId: 'from-file', policy: { allowEnvironment: true }, upstream: upstream() }, 'open.json');
    expect(load({ configPath: open, env, packaged: true }).config.kioskId).toBe('from-env');
  });
});

describe('token strength', () => {
  it('refuses a credential too short to be a secret, without printing it', () => {
    const problems = problemsOf({ cli: { kioskId: 'k1', upstream: upstream({ token: 'Token abc123' }) } });
    expect(problems).toEqual(['upstream.ws.token: is too short to be a secret: the credential (after the scheme, e.g. "Token ") needs at least 12 characters']);
    expect(problems.join('\n')).not.toContain('abc123');
  });
});

describe('plaintext upstreams', () => {
  it('warns when a token would cross the network unencrypted, not for loopback', () => {
    const remote = load({ cli: { kioskId: 'k1', upstream: { ws: { url: 'ws://cms.example.org/ws/kiosk/', token: wsToken }, api: { url: 'http://cms.example.org/api/', token: apiToken } } } });
    expect(remote.warnings).toEqual([
      'upstream.ws.url: ws sends the token unencrypted to cms.example.org; use wss:',
      'upstream.api.url: http sends the token unencrypted to cms.example.org; use https:',
    ]);
    expect(load({ cli: { kioskId: 'k1', upstream: upstream() } }).warnings).toEqual([]);
  });
});

describe('reserved token headers', () => {
  it.each(['User-Agent', 'X-Kiosk-Id'])('refuses %s as tokenHeader (the proxy sets it after the token)', (tokenHeader) => {
    expect(problemsOf({ cli: { kioskId: 'k1', upstream: upstream({}, { tokenHeader }) } })).toEqual([
      'upstream.api.tokenHeader: is a header the relay owns; choose another (usually Authorization)',
    ]);
  });
});
