#!/usr/bin/env node
// npm run packaging:unit: writes linux/kiosk-shell.service, the systemd user unit that deb
// and rpm install into /usr/lib/systemd/user (inert until enabled). Its text comes from
// kiosk/autostart.ts, the same function `kiosk-shell autostart enable` uses, pointed at
// the link the packages create; test/packaging checks the committed file matches.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LINUX_PACKAGE_PROGRAM, systemdUserUnit, UNIT_NAME } from '../kiosk/autostart.ts';

const file = path.join(import.meta.dirname, 'linux', UNIT_NAME);
writeFileSync(file, systemdUserUnit({ program: LINUX_PACKAGE_PROGRAM, args: [] }));
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
