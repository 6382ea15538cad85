#!/usr/bin/env -S node --max-semi-space-size=16
// The installed command. npm run build writes dist/: the CLI bundled into dist/cli (one
// file to load instead of hundreds of modules: a kiosk its supervisor restarts is back
// sooner), with Node's on-disk compile cache on top. The shebang's flags are
// kiosk/node-flags.ts's (why there).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli/cli.js');
await main();
