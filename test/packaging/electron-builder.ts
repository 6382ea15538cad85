// The parts of electron-builder the packaging tests call: its config loader and schema,
// the file matchers that decide what goes into app.asar, the package.json rewrite and the
// Linux desktop-entry writer. Calling electron-builder's own code rather than a copy of it
// is what lets these tests say "what electron-builder would build" on machines that cannot
// download Electron. Several are internal to app-builder-lib (no public types), so they are
// typed here as narrowly as the tests use them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'electron-builder';

const require = createRequire(import.meta.url);

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BUILD_RESOURCES = path.join(PROJECT_ROOT, 'build-resources');
export const CONFIG_FILE = path.join(BUILD_RESOURCES, 'electron-builder.cjs');

/** The configuration as this repository writes it (every field the tests read is set). */
export type BuilderConfig = Omit<Configuration, 'extraMetadata'> & {
  appId: string;
  productName: string;
  executableName: string;
  extraMetadata: Record<string, unknown>;
};

interface DebugLoggerLike {
  readonly isEnabled: boolean;
}

const configModule = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Configuration | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: DebugLoggerLike): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (isEnabled?: boolean) => DebugLoggerLike };

/** Loads the config file the way `electron-builder --config` does, and checks it against electron-builder's schema. */
export async function loadBuilderConfig(file = CONFIG_FILE): Promise<BuilderConfig> {
  const config = await configModule.getConfig(PROJECT_ROOT, file, null);
  await validateBuilderConfig(config);
  return config as BuilderConfig;
}

/** The config module's export as written (electron-builder's loader normalises, in place, the object it loads). */
export function rawBuilderConfig(file = CONFIG_FILE): Record<string, unknown> {
  delete require.cache[require.resolve(file)];
  return require(file) as Record<string, unknown>;
}

export async function validateBuilderConfig(config: Configuration): Promise<void> {
  await configModule.validateConfiguration(config, new DebugLogger(false));
}

// --- What goes into app.asar -------------------------------------------------------------

type Filter = (file: string, stat: Stats) => boolean;
interface FileMatcher {
  readonly from: string;
  readonly to: string;
  readonly patterns: string[];
  createFilter(): Filter;
}
interface ResolvedFileSet {
  src: string;
  destination: string;
  files: string[];
  metadata: Map<string, Stats>;
}
type Transformer = (file: string) => Promise<string | null> | string | null;

const fileMatcherModule = require('app-builder-lib/out/fileMatcher.js') as {
  excludedExts: string;
  FileMatcher: new (from: string, to: string, macroExpander: (pattern: string) => string, patterns?: string[]) => FileMatcher;
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getNodeModuleFileMatcher(appDir: string, destination: string, macroExpander: (pattern: string) => string, platformSpecificBuildOptions: object, packager: object): FileMatcher;
};
const { computeFileSets } = require('app-builder-lib/out/util/appFileCopier.js') as {
  computeFileSets: (matchers: FileMatcher[], transformer: Transformer | null, platformPackager: object, isElectronCompile: boolean) => Promise<ResolvedFileSet[]>;
};
const { NodeModuleCopyHelper } = require('app-builder-lib/out/util/NodeModuleCopyHelper.js') as {
  NodeModuleCopyHelper: new (
    matcher: FileMatcher,
    packager: object,
  ) => {
    metadata: Map<string, Stats>;
    collectNodeModules(moduleInfo: { dir: string; name: string }, excludedExts: string[], destination: string): Promise<string[]>;
  };
};
const { createTransformer } = require('app-builder-lib/out/fileTransformer.js') as {
  createTransformer: (srcDir: string, configuration: BuilderConfig, extraMetadata: object | null, extraTransformer: null) => Transformer;
};

const identity = (pattern: string): string => pattern;

/** Just enough of electron-builder's Packager for the file matchers and copiers, building for Linux. */
function packagerInfo(config: BuilderConfig): object {
  return {
    projectDir: PROJECT_ROOT,
    buildResourcesDir: path.resolve(PROJECT_ROOT, config.directories?.buildResources ?? 'build'),
    isPrepackedAppAsar: false,
    areNodeModulesHandledExternally: false,
    config,
    debugLogger: new DebugLogger(false),
    appInfo: { type: 'module' },
    getWorkspaceRoot: () => Promise.resolve(PROJECT_ROOT),
  };
}

let production: string[] | undefined;

/** The production dependency tree as npm reports it (no network), as absolute package folders. */
export function productionPackages(): string[] {
  production ??= listProductionPackages();
  return production;
}

function listProductionPackages(): string[] {
  // npm ls exits non-zero for extraneous packages too (harmless here: they are not in the
  // tree); a missing one means node_modules does not match package.json.
  const result = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (/\bmissing\b/i.test(result.stderr)) throw new Error(`node_modules lacks production dependencies; run \`npm ci\`:\n${result.stderr}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && path.resolve(line) !== PROJECT_ROOT);
}

function copyFileSet(fileSet: ResolvedFileSet, destinationOf: (file: string) => string, transformed: Map<string, string>): void {
  for (const file of fileSet.files) {
    const target = destinationOf(file);
    if ((fileSet.metadata.get(file) ?? lstatSync(file)).isDirectory()) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    const replacement = transformed.get(file);
    if (replacement === undefined) copyFileSync(file, target);
    else writeFileSync(target, replacement);
  }
}

async function transformAll(transformer: Transformer, files: readonly string[]): Promise<Map<string, string>> {
  const transformed = new Map<string, string>();
  for (const file of files) {
    const result = await transformer(file);
    if (typeof result === 'string') transformed.set(file, result);
  }
  return transformed;
}

/**
 * Copies into `staging` exactly what electron-builder would put into app.asar for Linux:
 * the app files its `files` patterns select (package.json rewritten with extraMetadata),
 * then each production package, filtered the way electron-builder filters node_modules.
 */
export async function stageApp(config: BuilderConfig, staging: string): Promise<void> {
  const platformPackager = { info: packagerInfo(config), config, platform: { name: 'linux' } };
  const matchers = fileMatcherModule.getMainFileMatchers(PROJECT_ROOT, staging, identity, config.linux ?? {}, platformPackager, path.join(PROJECT_ROOT, 'out'), false);
  const transformer = createTransformer(PROJECT_ROOT, config, config.extraMetadata, null);
  for (const fileSet of await computeFileSets(matchers, null, platformPackager, false)) {
    const transformed = await transformAll(transformer, fileSet.files);
    copyFileSet(fileSet, (file) => path.join(fileSet.destination, path.relative(fileSet.src, file)), transformed);
  }

  // electron-builder's node_modules rules: the negated `files` patterns, its default
  // exclusions, and these extensions (for Linux, .dll and .exe too).
  const moduleMatcher = fileMatcherModule.getNodeModuleFileMatcher(PROJECT_ROOT, staging, identity, config.linux ?? {}, packagerInfo(config));
  const excludedExts = ['.o', '.obj', ...fileMatcherModule.excludedExts.split(',').map((ext) => `.${ext}`), '.pdb', '.dll', '.exe'];
  for (const dir of productionPackages()) {
    const relative = path.relative(PROJECT_ROOT, dir);
    const destination = path.join(staging, relative);
    const matcher = new fileMatcherModule.FileMatcher(dir, destination, identity, moduleMatcher.patterns);
    const copier = new NodeModuleCopyHelper(matcher, packagerInfo(config));
    const files = await copier.collectNodeModules({ dir, name: path.basename(dir) }, excludedExts, relative);
    const transformed = await transformAll(transformer, files);
    copyFileSet({ src: dir, destination, files, metadata: copier.metadata }, (file) => path.join(destination, path.relative(dir, file)), transformed);
  }
}

// --- The Linux desktop entry -------------------------------------------------------------

const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper.js') as {
  LinuxTargetHelper: new (packager: object) => { computeDesktopEntry(options: object, exec?: string, extra?: object): Promise<string> };
};
const { sanitizeFileName } = require('builder-util/out/filename.js') as { sanitizeFileName: (name: string) => string };

/** The .desktop file deb, rpm and AppImage install, as electron-builder writes it for `target` (deb, rpm, appImage). */
export async function desktopEntry(config: BuilderConfig, target: 'deb' | 'rpm' | 'appImage', description: string): Promise<string> {
  const linuxPackager = {
    appInfo: { productName: config.productName, sanitizedProductName: sanitizeFileName(config.productName), description },
    executableName: config.executableName,
    info: { metadata: { ...config.extraMetadata } },
    config,
    fileAssociations: [],
    platformSpecificBuildOptions: config.linux ?? {},
  };
  return new LinuxTargetHelper(linuxPackager).computeDesktopEntry({ ...config.linux, ...config[target] });
}
