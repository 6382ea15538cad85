// electron-builder configuration for every installer IT staff image onto kiosks.
// Build on a machine that can download Electron (see the README, "Packaging"), e.g.
//   npx electron-builder --config build-resources/electron-builder.cjs --linux AppImage deb rpm --publish never
// test/packaging/ loads this file through electron-builder's own loader and schema, and
// builds the app.asar it describes, on machines that cannot download Electron.
'use strict';
const path = require('node:path');

// The app's identity, set once here. kiosk/autostart.ts names its login entries after the
// same values; test/packaging/config.test.ts keeps the two in step.
const appId = 'org.kioskshell.KioskShell';
const productName = 'Kiosk Shell';
const executableName = 'kiosk-shell';

// Your organisation: deb and rpm refuse to build without a maintainer and a homepage.
// Set both to your IT department's before building packages for your fleet.
const maintainer = 'Kiosk Shell maintainers <kiosk-shell@example.org>';
const homepage = 'https://example.org/kiosk-shell';

// The systemd user unit that deb and rpm install (inert until enabled; see the README).
const userUnit = path.join(__dirname, 'linux', `${executableName}.service`);
const installUserUnit = [`${userUnit}=/usr/lib/systemd/user/${executableName}.service`];

/** @type {import('app-builder-lib').Configuration} */
module.exports = {
  appId,
  productName,
  executableName,
  copyright: `Copyright © ${productName} contributors`,
  directories: { buildResources: 'build-resources', output: 'out' },

  // What goes into app.asar: the built app and package.json. Production dependencies are
  // added by electron-builder itself; the exclusions below apply to them too.
  files: [
    'dist/**/*',
    'package.json',
    '!**/*.map',
    '!**/*.{ts,mts,cts}',
    '!**/{test,tests,__tests__,fixtures}{,/**}',
    '!**/.env{,.*}',
    '!**/*.{pem,key,p12,pfx,token}',
  ],
  extraMetadata: {
    main: 'dist/electron/main.js',
    // Electron names the window's Wayland app_id / X11 WM_CLASS after this, so the desktop
    // links the kiosk window to its entry.
    desktopName: `${executableName}.desktop`,
    homepage,
  },
  asar: true,
  // No native modules: nothing to rebuild, and no compiler needed on the build machine.
  npmRebuild: false,
  nodeGypRebuild: false,
  publish: null,

  // Flipped in the Electron binary at build time: no way to turn the kiosk into a plain
  // Node runtime or attach a debugger, and only the signed-off app.asar is ever loaded.
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
    loadBrowserProcessSpecificV8Snapshot: false,
    // Flipping fuses breaks an arm64 Mac's ad-hoc signature; an unsigned build would not
    // launch without a fresh one (a signed build is signed after this anyway).
    resetAdHocDarwinSignature: true,
  },

  linux: {
    target: ['AppImage', 'deb', 'rpm'],
    icon: 'icons',
    category: 'Utility',
    synopsis: 'Locked-down kiosk display with a token-holding relay',
    maintainer,
    vendor: maintainer,
    syncDesktopName: true,
    desktop: {
      entry: {
        GenericName: 'Kiosk display',
        Keywords: 'kiosk;signage;touch;display;',
        StartupNotify: 'false',
      },
    },
  },
  appImage: { artifactName: '${name}-${version}-${arch}.${ext}' },
  // electron-builder's own dependency lists (FpmTarget.getDefaultDepends), plus a CJK font:
  // the City Hall UI speaks Chinese, and without one every character is a box.
  deb: {
    priority: 'optional',
    fpm: installUserUnit,
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0', 'fonts-noto-cjk'],
  },
  rpm: {
    fpm: installUserUnit,
    depends: [
      'gtk3',
      'libnotify',
      'nss',
      'libXScrnSaver',
      '(libXtst or libXtst6)',
      'xdg-utils',
      'at-spi2-core',
      '(libuuid or libuuid1)',
      '(google-noto-sans-cjk-fonts or google-noto-sans-cjk-ttc-fonts)',
    ],
  },

  win: {
    target: ['nsis', 'msi'],
    icon: 'icon.ico',
  },
  // Both install for every user of the machine, silently when asked (/S, msiexec /qn),
  // and leave starting the kiosk to autostart or Shell Launcher.
  nsis: {
    oneClick: true,
    perMachine: true,
    runAfterFinish: false,
    createDesktopShortcut: false,
    deleteAppDataOnUninstall: false,
    artifactName: '${name}-${version}-setup-${arch}.${ext}',
  },
  msi: {
    oneClick: true,
    perMachine: true,
    runAfterFinish: false,
    createDesktopShortcut: false,
    artifactName: '${name}-${version}-${arch}.${ext}',
  },

  mac: {
    target: ['dmg'],
    icon: 'icon.icns',
    category: 'public.app-category.utilities',
    hardenedRuntime: true,
  },
  dmg: { artifactName: '${name}-${version}-${arch}.${ext}' },
};
