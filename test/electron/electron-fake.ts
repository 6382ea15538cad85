// The one fake of Electron, installed for every test under test/electron/ by the vitest
// config. The Electron binary cannot run here, so the shell's modules are tested against
// these stand-ins: EventEmitters with the methods the shell calls, recording the calls.
// Everything that is not Electron (server, controller, policy) is tested for real elsewhere.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly calls: string[] = [];
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  reloadIgnoringCache(): void {
    this.calls.push('reloadIgnoringCache');
  }
  forcefullyCrashRenderer(): void {
    this.calls.push('forcefullyCrashRenderer');
  }
  closeDevTools(): void {
    this.calls.push('closeDevTools');
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly calls: string[] = [];
  loadedUrl: string | undefined;
  destroyed = false;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindow.instances.push(this);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances.filter((w) => !w.destroyed);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  removeMenu(): void {
    this.calls.push('removeMenu');
  }
  show(): void {
    this.calls.push('show');
  }
  focus(): void {
    this.calls.push('focus');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeSession extends EventEmitter {
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
  permissionCheckHandler: (() => boolean) | undefined;
  devicePermissionHandler: (() => boolean) | undefined;
  displayMediaRequestHandler: ((request: unknown, callback: (streams: unknown) => void) => void) | undefined;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | undefined;
  headersReceived:
    | ((
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | undefined;
  readonly webRequest = {
    onBeforeRequest: (listener: FakeSession['beforeRequest']) => {
      this.beforeRequest = listener;
    },
    onHeadersReceived: (listener: FakeSession['headersReceived']) => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler;
  }
  setDisplayMediaRequestHandler(handler: FakeSession['displayMediaRequestHandler']): void {
    this.displayMediaRequestHandler = handler;
  }
}

export class FakeApp extends EventEmitter {
  readonly calls: string[] = [];
  readonly switches: string[][] = [];
  singleInstance = true;
  readonly commandLine = { appendSwitch: (...args: string[]) => this.switches.push(args) };
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  relaunch(): void {
    this.calls.push('relaunch');
  }
  exit(code: number): void {
    this.calls.push(`exit:${code}`);
  }
  quit(): void {
    this.calls.push('quit');
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, handler);
  }
}

export const fake = {
  app: new FakeApp(),
  ipcMain: new FakeIpcMain(),
  session: { defaultSession: new FakeSession() },
  powerSaveBlocker: { started: [] as string[], start(type: string) { this.started.push(type); return this.started.length; } },
  Menu: { setApplicationMenu: vi.fn() },
  net: { isOnline: () => true },
  screen: { getPrimaryDisplay: () => ({ bounds: { x: 0, y: 0, width: 1366, height: 768 } }) },
};

vi.mock('electron', () => ({
  ...fake,
  BrowserWindow: FakeBrowserWindow,
  default: { ...fake, BrowserWindow: FakeBrowserWindow },
}));
