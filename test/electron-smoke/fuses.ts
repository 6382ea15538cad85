// Electron's fuses as a binary holds them, read with @electron/fuses, and what
// build-resources/electron-builder.cjs asks for, through electron-builder's own mapping of
// its `electronFuses` names onto the wire. A fuse wire is a sentinel string in the binary
// (in the Electron Framework on macOS), then a version byte, a length byte and one byte per
// fuse: '0' off, '1' on, 'r' removed.
import { createRequire } from 'node:module';
import type { FuseConfig, FuseV1Options as FuseV1OptionsEnum } from '@electron/fuses';

const require = createRequire(import.meta.url);
const fuses = require('@electron/fuses') as {
  FuseV1Options: typeof FuseV1OptionsEnum;
  FuseVersion: { V1: '1' };
  getCurrentFuseWire(pathToElectron: string): Promise<Record<string, unknown>>;
  flipFuses(pathToElectron: string, config: FuseConfig): Promise<number>;
};
const constants = require('@electron/fuses/dist/constants.js') as { SENTINEL: string; FuseState: Record<'DISABLE' | 'ENABLE' | 'REMOVED' | 'INHERIT', number> };
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(this: unknown, electronFuses: object): Promise<Record<string, unknown>> } };
};

export const FUSE_SENTINEL = constants.SENTINEL;
export const FUSE_BYTES = { off: constants.FuseState.DISABLE, on: constants.FuseState.ENABLE, removed: constants.FuseState.REMOVED } as const;

export type FuseState = 'on' | 'off' | 'removed' | `byte ${number}`;

export interface FuseWire {
  version: string;
  /** Each fuse's state, by its place in the wire. */
  states: FuseState[];
}

/** A fuse's name as @electron/fuses knows it (RunAsNode, …), or its place in the wire for a newer one. */
export function fuseName(index: number): string {
  return (fuses.FuseV1Options as unknown as Record<number, string | undefined>)[index] ?? `fuse #${index}`;
}

function stateOf(byte: number): FuseState {
  if (byte === FUSE_BYTES.on) return 'on';
  if (byte === FUSE_BYTES.off) return 'off';
  if (byte === FUSE_BYTES.removed) return 'removed';
  return `byte ${byte}`;
}

/** The fuse wire of an Electron binary (or an .app bundle), as @electron/fuses reads it. */
export async function readFuseWire(binary: string): Promise<FuseWire> {
  const wire = await fuses.getCurrentFuseWire(binary);
  const states: FuseState[] = [];
  for (let index = 0; typeof wire[index] === 'number'; index++) states.push(stateOf(wire[index] as number));
  return { version: String(wire.version), states };
}

/** The fuses the builder config sets, by their place in the wire: true on, false off. */
export async function configuredFuses(electronFuses: object): Promise<Map<number, boolean>> {
  // generateFuseConfig uses nothing of the packager but its argument.
  const config = await PlatformPackager.prototype.generateFuseConfig.call(undefined, electronFuses);
  const wanted = new Map<number, boolean>();
  for (const [key, value] of Object.entries(config)) if (/^\d+$/.test(key) && typeof value === 'boolean') wanted.set(Number(key), value);
  return wanted;
}

/** Flips the fuses of `binary` (a copy: it is rewritten in place) the way electron-builder does at packaging. */
export async function flipConfiguredFuses(binary: string, electronFuses: object): Promise<void> {
  const config = await PlatformPackager.prototype.generateFuseConfig.call(undefined, electronFuses);
  await fuses.flipFuses(binary, config as unknown as FuseConfig);
}

/**
 * What differs from the config: every fuse it sets that the wire holds otherwise (or
 * lacks), and, given the stock binary's wire, every other fuse that packaging changed.
 */
export function fuseProblems(actual: FuseWire, wanted: ReadonlyMap<number, boolean>, stock?: FuseWire): string[] {
  const problems: string[] = [];
  if (actual.version !== fuses.FuseVersion.V1) problems.push(`fuse wire version ${actual.version}, not ${fuses.FuseVersion.V1}`);
  for (const [index, on] of [...wanted].sort(([a], [b]) => a - b)) {
    const state = actual.states[index];
    if (state === undefined) problems.push(`${fuseName(index)}: configured ${on ? 'on' : 'off'}, but this Electron has no such fuse`);
    else if (state !== (on ? 'on' : 'off')) problems.push(`${fuseName(index)}: configured ${on ? 'on' : 'off'}, but the binary has it ${state}`);
  }
  if (stock !== undefined) {
    if (stock.states.length !== actual.states.length) problems.push(`the wire has ${actual.states.length} fuses, the stock binary's ${stock.states.length}`);
    actual.states.forEach((state, index) => {
      if (!wanted.has(index) && stock.states[index] !== state) problems.push(`${fuseName(index)}: not configured, yet changed from ${stock.states[index]} to ${state}`);
    });
  }
  return problems;
}

/** The fuses a wire has that the config leaves as Electron built them (a newer Electron's, say). */
export function unconfiguredFuses(actual: FuseWire, wanted: ReadonlyMap<number, boolean>): string[] {
  return actual.states.flatMap((state, index) => (wanted.has(index) ? [] : [`${fuseName(index)} (${state})`]));
}

/** Bytes with a fuse wire in them, as an Electron binary holds it: for tests of the reader. */
export function fuseWireBlob(states: readonly FuseState[], { version = 1, padding = 64 } = {}): Buffer {
  const byte = (state: FuseState) => (state === 'on' || state === 'off' || state === 'removed' ? FUSE_BYTES[state] : Number(state.slice(5)));
  const filler = Buffer.alloc(padding, 0x2e);
  return Buffer.concat([filler, Buffer.from(FUSE_SENTINEL, 'latin1'), Buffer.from([version, states.length, ...states.map(byte)]), filler]);
}
