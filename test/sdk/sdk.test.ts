// The page SDK's public face: the shell's hello as pages get it (with the protocol check),
// and the types served beside it — one self-contained file that a site's TypeScript can use,
// and that rejects a misuse.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';
import { helloOf, PROTOCOL, SDK_VERSION } from '../../sdk/index.ts';

const hello = (protocol: number) =>
  helloOf({ type: 'local.hello', protocol, kioskId: 'lobby-1', version: '9.9.9', uplink: 'open', settings: { idleReturnHomeSeconds: 90, hideCursor: true } });

describe('the shell\'s hello', () => {
  it('says whether the shell speaks this SDK\'s protocol', () => {
    expect(hello(PROTOCOL)).toEqual({ kioskId: 'lobby-1', version: '9.9.9', protocol: PROTOCOL, compatible: true, idleReturnHomeSeconds: 90, hideCursor: true });
    expect(hello(PROTOCOL + 1).compatible).toBe(false);
    expect(hello(0).compatible).toBe(false);
  });

  it('has a version', () => {
    expect(SDK_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('sdk.d.ts, as the kiosk serves it', () => {
  const types = path.join(REPO_ROOT, 'dist', 'sdk', 'sdk.d.ts.txt');

  /** Type-checks `source` as a page's module importing the served SDK; returns the errors. */
  function check(source: string): string[] {
    const page = path.join(REPO_ROOT, 'dist', 'sdk', '__page.ts');
    // As a site's build sees them: the served types saved beside its code as sdk.d.ts.
    const files = new Map([
      [page, source.replace("'/kiosk-shell/sdk.js'", "'./sdk.js'")],
      [path.join(REPO_ROOT, 'dist', 'sdk', 'sdk.d.ts'), readFileSync(types, 'utf8')],
    ]);
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    host.readFile = (name) => files.get(name) ?? read(name);
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || exists(name);
    const program = ts.createProgram([page], options, host);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it('is one file: it imports nothing', () => {
    const text = readFileSync(types, 'utf8');
    expect(text).not.toMatch(/^\s*import\s/m);
    expect(text).not.toMatch(/from ['"]/);
    expect(text).toContain('export declare function connect(');
  });

  it('types a page\'s use of the SDK', () => {
    expect(
      check(`import { connect, type UpstreamMessage } from '/kiosk-shell/sdk.js';
        const kiosk = await connect({ manualShown: true });
        const response: Response = await kiosk.api('/events/');
        const sent: boolean = kiosk.send('survey.answer', { choice: 2 });
        kiosk.onMessage((message: UpstreamMessage) => void message.type);
        kiosk.onState(({ socket, uplink }) => void [socket === 'open', uplink === 'waiting']);
        kiosk.onHome(async () => undefined);
        kiosk.onCommand('clear-session', () => undefined);
        kiosk.shown({ home: false });
        kiosk.inUse(true);
        void [response, sent];
        export {};`),
    ).toEqual([]);
  });

  it('rejects a misuse', () => {
    expect(check(`import { connect } from '/kiosk-shell/sdk.js'; const k = await connect(); k.send(42); k.onCommand('self-destruct', () => 1); export {};`).length).toBe(2);
  });
});
