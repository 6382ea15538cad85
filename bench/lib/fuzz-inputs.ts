// What the fuzzers send, all drawn from a seeded Rng: JSON messages that probe the relay's
// message rules, WebSocket frames well- and ill-formed, HTTP requests mutated from valid
// ones, and plain garbage. Every case has a short description for the findings file.
import { encodeFrame, OP } from './frames.ts';
import type { Rng } from '../../test/support/rng.ts';

/** Marks frames the relay must never pass on (forged shell messages, page-forged kiosk.*). */
export const FORGED = 'FORGED-BY-FUZZ';

export interface FuzzCase {
  what: string;
  bytes: Buffer;
}

/** A JSON-ish message; `side` says who sends it (the page up, or the upstream down). */
export function fuzzMessage(rng: Rng, side: 'page' | 'upstream', secret: string): { what: string; text: string } {
  const id = () => rng.pick(['r-1', `r-${rng.int(1e6)}`, '', 'x'.repeat(rng.range(100, 200)), '../../etc', 'r 1', '\u0000', `fz-${rng.int(100)}`]);
  const target = () =>
    rng.pick<unknown>(['all', 'ALL', { kiosks: ['bench-kiosk-1'] }, { kiosks: [] }, { groups: ['bench'] }, { groups: 'bench' }, { kiosks: Array.from({ length: rng.range(1, 3000) }, (_, i) => `k-${i}`) }, null, 42, { kiosks: ['bench-kiosk-1'], groups: ['x'] }]);
  const depth = rng.range(10, 30_000);
  const cases: (() => { what: string; text: string })[] = [
    () => ({ what: 'kiosk.reset', text: JSON.stringify({ type: 'kiosk.reset', id: id(), target: target(), ...(rng.chance(0.3) ? { reason: rng.ascii(rng.range(0, 700)) } : {}) }) }),
    () => ({ what: 'legacy reset', text: rng.pick(['reset', ' reset\n', 'RESET', '{"type":"reset"}', '{"type":"reset","id":5}']) }),
    () => ({ what: 'forged local.*', text: JSON.stringify({ type: rng.pick(['local.reload', 'local.hello', 'local.uplink', 'local.shown', 'local.heartbeat', 'local.x']), resetId: FORGED, state: FORGED, home: rng.pick([true, 'yes', null]), shown: rng.pick([false, 1]) }) }),
    () => ({ what: 'forged kiosk.*', text: JSON.stringify({ type: rng.pick(['kiosk.ack', 'kiosk.hello', 'kiosk.status', 'kiosk.reset']), id: FORGED, kiosk: FORGED, status: 'reloaded', ms: 0 }) }),
    () => ({ what: 'allowed type', text: JSON.stringify({ type: 'bench.ping', seq: rng.int(1e9), pad: 'x'.repeat(rng.range(0, 2000)) }) }),
    () => ({ what: 'allowed type, oversized', text: JSON.stringify({ type: 'bench.ping', pad: 'x'.repeat(rng.range(60_000, 70_000)) }) }),
    () => ({ what: 'type lookalike', text: rng.pick([`{"type":" bench.ping","m":"${FORGED}"}`, `{"type":"BENCH.PING","m":"${FORGED}"}`, `{"type":"bench.ping\\u0000","m":"${FORGED}"}`, `{"type":["bench.ping"],"m":"${FORGED}"}`, `{"type":"bench.ping","type":"kiosk.ack","m":"${FORGED}"}`, `{"type":"kiosk.ack","type":"bench.ping","m":"${FORGED}"}`]) }),
    () => ({ what: 'prototype keys', text: rng.pick([`{"__proto__":{"type":"kiosk.ack"},"m":"${FORGED}"}`, '{"type":"bench.ping","__proto__":{"polluted":true}}', '{"type":"bench.ping","constructor":{"prototype":{"polluted":true}}}', '{"type":"toString"}', '{"type":"hasOwnProperty"}', '{"type":"__proto__"}']) }),
    () => ({ what: 'deep nesting', text: `${'['.repeat(depth)}${']'.repeat(depth)}` }),
    () => ({ what: 'deep object', text: `${'{"a":'.repeat(Math.min(depth, 10_000))}1${'}'.repeat(Math.min(depth, 10_000))}` }),
    () => ({ what: 'not an object', text: rng.pick(['null', '[]', '"bench.ping"', '1e309', '-0', 'true', '{', '{"type":', '', ' ', '\uFEFF{"type":"bench.ping"}', '{"type":"bench.ping"}garbage']) }),
    () => ({ what: 'lone surrogate', text: `{"type":"bench.ping","s":"\\ud800${rng.ascii(5)}"}` }),
    () => ({ what: 'long type', text: JSON.stringify({ type: 'x'.repeat(rng.range(100, 20_000)) }) }),
    () => ({ what: 'many keys', text: JSON.stringify(Object.fromEntries(Array.from({ length: rng.range(100, 4000) }, (_, i) => [`k${i}`, i]))) }),
  ];
  if (side === 'upstream') {
    cases.push(() => ({ what: 'token echo', text: JSON.stringify({ type: 'announcement', text: `leak ${secret}` }) }));
    cases.push(() => ({ what: 'token echo, escaped', text: `{"type":"announcement","text":"${secret.replace(/./g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"}` }));
    cases.push(() => ({ what: 'ordinary message', text: JSON.stringify({ type: 'content.updated', at: Date.now() }) }));
  }
  return rng.pick(cases)();
}

/** A well-formed text frame carrying one of fuzzMessage's messages. */
export function fuzzMessageFrame(rng: Rng, side: 'page' | 'upstream', secret: string): FuzzCase {
  const m = fuzzMessage(rng, side, secret);
  return { what: `text: ${m.what}`, bytes: encodeFrame({ opcode: OP.text, payload: Buffer.from(m.text, 'utf8'), mask: side === 'page' ? rng.bytes(4) : null }) };
}

/** One frame (or a few) from `side`: clients mask, servers do not — unless the case is about that. */
export function fuzzFrames(rng: Rng, side: 'page' | 'upstream', secret: string): FuzzCase {
  const masked = side === 'page';
  const mask = () => (masked ? rng.bytes(4) : null);
  const wrongMask = () => (masked ? null : rng.bytes(4));
  const text = (t: string, extra: Partial<Parameters<typeof encodeFrame>[0]> = {}) => encodeFrame({ opcode: OP.text, payload: Buffer.from(t, 'utf8'), mask: mask(), ...extra });
  const roll = rng.next();
  if (roll < 0.4) {
    const m = fuzzMessage(rng, side, secret);
    return { what: `text: ${m.what}`, bytes: text(m.text) };
  }
  const cases: (() => FuzzCase)[] = [
    () => ({ what: 'binary frame', bytes: encodeFrame({ opcode: OP.binary, payload: rng.bytes(rng.range(0, 3000)), mask: mask() }) }),
    () => ({ what: 'invalid UTF-8 text', bytes: encodeFrame({ opcode: OP.text, payload: Buffer.concat([Buffer.from('{"type":"bench.ping","s":"'), rng.pick([Buffer.from([0xff]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), rng.bytes(8)]), Buffer.from('"}')]), mask: mask() }) }),
    () => ({ what: 'oversized frame', bytes: encodeFrame({ opcode: rng.pick([OP.text, OP.binary]), payload: Buffer.alloc(rng.range(65_537, 200_000), 0x61), mask: mask() }) }),
    () => ({ what: 'length lie (huge)', bytes: encodeFrame({ opcode: OP.text, payload: Buffer.from('{"type":"bench.ping"}'), mask: mask(), claimLength: rng.pick([2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 32n]) }) }),
    () => ({ what: 'length lie (short)', bytes: encodeFrame({ opcode: OP.text, payload: Buffer.from('{"type":"bench.ping","pad":"xxxxxxxx"}'), mask: mask(), claimLength: BigInt(rng.range(1, 10)) }) }),
    () => ({ what: 'reserved opcode', bytes: encodeFrame({ opcode: rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload: rng.bytes(rng.range(0, 50)), mask: mask() }) }),
    () => ({ what: 'RSV bits', bytes: text('{"type":"bench.ping"}', { rsv: rng.range(1, 7) }) }),
    () => ({ what: masked ? 'unmasked client frame' : 'masked server frame', bytes: encodeFrame({ opcode: OP.text, payload: Buffer.from('{"type":"bench.ping"}'), mask: wrongMask() }) }),
    () => {
      const parts = rng.range(2, 20);
      const frames: Buffer[] = [];
      for (let i = 0; i < parts; i++) {
        const last = i === parts - 1 && rng.chance(0.7);
        frames.push(encodeFrame({ fin: last, opcode: i === 0 ? OP.text : OP.continuation, payload: Buffer.from(i === 0 ? '{"type":"bench.ping","p":"' : i === parts - 1 ? 'z"}' : rng.ascii(rng.range(0, 9000))), mask: mask() }));
        if (rng.chance(0.2)) frames.push(encodeFrame({ opcode: OP.ping, payload: rng.bytes(rng.range(0, 125)), mask: mask() }));
        if (rng.chance(0.05)) frames.push(text('{"type":"bench.ping"}'));
      }
      return { what: 'fragmented message', bytes: Buffer.concat(frames) };
    },
    () => ({ what: 'continuation without a start', bytes: encodeFrame({ opcode: OP.continuation, payload: Buffer.from('abc'), mask: mask() }) }),
    () => ({ what: 'control frame too long', bytes: encodeFrame({ opcode: rng.pick([OP.ping, OP.pong, OP.close]), payload: rng.bytes(rng.range(126, 1000)), mask: mask() }) }),
    () => ({ what: 'fragmented control frame', bytes: encodeFrame({ fin: false, opcode: OP.ping, payload: rng.bytes(10), mask: mask() }) }),
    () => {
      const code = rng.pick([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 3000, 4999, 5000, 65535, 1000, 1001]);
      const payload = rng.chance(0.2) ? Buffer.from([rng.int(256)]) : Buffer.concat([Buffer.from([code >> 8, code & 0xff]), rng.chance(0.5) ? Buffer.from([0xff, 0xfe]) : Buffer.from(rng.ascii(rng.range(0, 100)))]);
      return { what: `close frame ${code}`, bytes: encodeFrame({ opcode: OP.close, payload, mask: mask() }) };
    },
    () => ({ what: 'ping flood', bytes: Buffer.concat(Array.from({ length: rng.range(50, 2000) }, () => encodeFrame({ opcode: rng.pick([OP.ping, OP.pong]), payload: rng.bytes(rng.range(0, 125)), mask: mask() }))) }),
    () => ({ what: 'message burst', bytes: Buffer.concat(Array.from({ length: rng.range(50, 1000) }, () => text(fuzzMessage(rng, side, secret).text))) }),
    () => ({ what: 'random bytes', bytes: rng.bytes(rng.range(1, 4000)) }),
    () => ({ what: 'truncated header', bytes: text('{"type":"bench.ping"}').subarray(0, rng.range(1, 6)) }),
  ];
  return rng.pick(cases)();
}

/** An HTTP request to the local server, valid or mutated. */
export function fuzzHttp(rng: Rng, target: { port: number; key: string; origin: string }): FuzzCase {
  const host = `127.0.0.1:${target.port}`;
  const hosts = [host, `localhost:${target.port}`, '127.0.0.1', `evil.example:${target.port}`, `127.0.0.1:${target.port}.evil.example`, '', `${host}, ${host}`, `127.0.0.1:0${target.port}`, `[::1]:${target.port}`, `127.0.0.1:${target.port} `];
  const paths = ['/', '/index.html', '/healthz', '/status', '/api/events/', '/api/offices/', '/api/../status', '/api/%2e%2e/status', '/api/..%2f..%2fetc/passwd', '/assets/../../package.json', '/%00', '/ws', `/api/${'a'.repeat(rng.range(100, 20_000))}`, '//evil.example/api/', 'http://evil.example/api/events/', '*', '/api/events/?x=' + encodeURIComponent(rng.ascii(50))];
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'G ET', 'get', ''];
  const headers: string[] = [];
  if (rng.chance(0.9)) headers.push(`Host: ${rng.chance(0.6) ? host : rng.pick(hosts)}`);
  if (rng.chance(0.5)) headers.push(`X-Kiosk-Key: ${rng.pick([target.key, target.key.slice(0, -1), '', `${target.key}, ${target.key}`, 'x'.repeat(64)])}`);
  if (rng.chance(0.5)) headers.push(`Origin: ${rng.pick([target.origin, 'null', 'http://evil.example', `${target.origin}/`, `http://localhost:${target.port}`])}`);
  if (rng.chance(0.2)) headers.push(`Authorization: ${rng.pick(['Token stolen', 'Basic eDp5'])}`);
  if (rng.chance(0.2)) headers.push('Cookie: sessionid=abc');
  const upgrade = rng.chance(0.25);
  if (upgrade) {
    headers.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Version: ${rng.pick(['13', '8', ''])}`, `Sec-WebSocket-Key: ${rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'short', rng.ascii(24)])}`);
    if (rng.chance(0.8)) headers.push(`Sec-WebSocket-Protocol: ${rng.pick(['kiosk.v1', `kiosk.v1, kiosk-key.${target.key}`, `kiosk-key.${target.key}`, `kiosk.v1, kiosk-key.${target.key}, kiosk-key.${target.key}`, `kiosk.v1,kiosk-key.${target.key.toUpperCase()}`, ''])}`);
  }
  let body = '';
  const bodyKind = rng.int(6);
  if (bodyKind === 1) {
    body = rng.ascii(rng.range(0, 3000));
    headers.push(`Content-Length: ${rng.pick([body.length, body.length + 10, Math.max(0, body.length - 5), -1, 'abc', `${body.length}, ${body.length}`])}`);
  } else if (bodyKind === 2) {
    body = rng.pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\nhello\r\n0\r\n\r\n', 'ffffffffffffffff\r\n', '5\r\nhello', '0\r\nX-Trailer: 1\r\n\r\n']);
    headers.push('Transfer-Encoding: chunked');
    if (rng.chance(0.5)) headers.push(`Content-Length: ${rng.range(0, 50)}`);
  } else if (bodyKind === 3) {
    headers.push(`Transfer-Encoding: ${rng.pick(['gzip, chunked', 'chunked, identity', ' chunked', 'xchunked'])}`);
    body = '0\r\n\r\n';
  }
  let version = 'HTTP/1.1';
  if (rng.chance(0.1)) version = rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTP/11', '']);
  let request = `${rng.chance(0.9) ? 'GET' : rng.pick(methods)} ${rng.pick(paths)} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
  if (rng.chance(0.05)) request = request.replace(/^GET/, rng.pick(methods));
  let bytes = Buffer.from(request, 'latin1');
  const mutations = rng.chance(0.5) ? rng.range(1, 8) : 0;
  for (let i = 0; i < mutations; i++) {
    const at = rng.int(bytes.length + 1);
    const kind = rng.int(5);
    if (kind === 0) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([rng.pick([0x00, 0x0a, 0x0d, 0x20, 0x09, 0x3a, 0x7f, 0xff])]), bytes.subarray(at)]);
    else if (kind === 1) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + rng.range(1, 20)))]);
    else if (kind === 2 && at < bytes.length) bytes[at] = rng.int(256);
    else if (kind === 3) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(`\r\nX-${rng.ascii(5)}: ${rng.ascii(rng.range(0, 40))}`, 'latin1'), bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from('\r\n ', 'latin1'), bytes.subarray(at)]);
  }
  if (rng.chance(0.1)) bytes = Buffer.concat([bytes, bytes]);
  return { what: `http ${upgrade ? 'upgrade ' : ''}mutations=${mutations}`, bytes };
}
