// The one fake of Electron, installed for every test under test/electron/ by the vitest
// config. The Electron binary cannot run here, so the shell's modules are tested against
// these stand-ins: EventEmitters with the methods the shell calls, recording the calls.
// Everything that is not Electron (server, controller, policy) is tested for real elsewhere.
import { EventEmitter } from 'node:events';
import type { ProcessMetric } from 'electron';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly calls: string[] = [];
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;
  /** What capturePage returns: an image of this size (zero: a capture that failed). */
  captureSize = { width: 1920, height: 1080 };
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
  osProcessId = 4242;
  getOSProcessId(): number {
    return this.osProcessId;
  }
  capturePage(): Promise<FakeNativeImage> {
    this.calls.push('capturePage');
    return Promise.resolve(new FakeNativeImage(this.captureSize.width, this.captureSize.height));
  }
}

/** A NativeImage that encodes to a JPEG header of its size, `bytesPerPixel` long per pixel at quality 100. */
export class FakeNativeImage {
  static bytesPerPixel = 0.05;
  readonly resized: number[] = [];
  readonly width: number;
  readonly height: number;
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }
  getSize(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }
  resize({ width }: { width: number }): FakeNativeImage {
    this.resized.push(width);
    return new FakeNativeImage(width, Math.round((this.height * width) / this.width));
  }
  toJPEG(quality: number): Buffer {
    const { width: w, height: h } = this;
    const header = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03]);
    return Buffer.concat([header, Buffer.alloc(Math.round(w * h * FakeNativeImage.bytesPerPixel * (quality / 100)))]);
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
  readonly cleared: unknown[] = [];
  clearStorageData(options: unknown): Promise<void> {
    this.cleared.push(options);
    return Promise.resolve();
  }
  clearCache(): Promise<void> {
    this.cleared.push('cache');
    return Promise.resolve();
  }
}

export class FakeApp extends EventEmitter {
  readonly calls: string[] = [];
  readonly switches: string[][] = [];
  singleInstance = true;
  readonly commandLine = { appendSwitch: (...args: string[]) => this.switches.push(args) };
  /** What app.getAppMetrics() reports: per process, memory in KB. */
  metrics: { pid: number; type: string; memory: { workingSetSize: number } }[] = [];
  getAppMetrics(): ProcessMetric[] {
    return this.metrics as unknown as ProcessMetric[];
  }
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
  readonly listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, handler);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
    this.listeners.set(channel, listener);
  }
}

/** Electron's power-save blocker: ids of the blockers running now. */
export class FakePowerSaveBlocker {
  readonly running = new Map<number, string>();
  #next = 1;
  start(type: string): number {
    const id = this.#next++;
    this.running.set(id, type);
    return id;
  }
  stop(id: number): boolean {
    return this.running.delete(id);
  }
}

export const fake = {
  app: new FakeApp(),
  ipcMain: new FakeIpcMain(),
  session: { defaultSession: new FakeSession() },
  powerSaveBlocker: new FakePowerSaveBlocker(),
  Menu: { setApplicationMenu: vi.fn() },
  net: { isOnline: () => true },
  screen: { getPrimaryDisplay: () => ({ bounds: { x: 0, y: 0, width: 1366, height: 768 } }) },
};

vi.mock('electron', () => ({
  ...fake,
  BrowserWindow: FakeBrowserWindow,
  default: { ...fake, BrowserWindow: FakeBrowserWindow },
}));
