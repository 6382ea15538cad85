// The Node flags the kiosk's own process runs with when Node runs it: the shebang of
// bin/kiosk-shell.js, the npm scripts that start it (test/packaging/bin.test.ts holds
// them together) and the command `kiosk-shell autostart` writes into a unit or an
// autostart entry. Not Electron's main process, which takes V8 flags only as
// --js-flags on its own command line. The shebang's `env -S` needs GNU coreutils 8.30+
// or a BSD env: BusyBox (Alpine) runs `node --max-semi-space-size=16 bin/kiosk-shell.js`.
//
// --max-semi-space-size=16 (MiB): Node 24 lets V8 grow the young generation to 64 MiB
// per semi-space under a burst of allocation (a run of resets, each a navigation the
// Chromium shell's playwright-core follows) and keeps it: the kiosk process's heap
// committed 123 → 203 MiB over 100 resets with 57 → 64 MiB of it in use (bench
// kiosk-soak). 16 MiB is the size older Nodes used; a kiosk process allocates little,
// so more frequent young-generation collections cost it nothing a visitor sees.
export const KIOSK_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
