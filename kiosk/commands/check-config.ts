// `kiosk-shell check-config`: validates the effective configuration and prints it with
// every secret redacted. Exit 0 when usable, 2 with every problem by key path otherwise.
import { loadConfig, redactConfig } from '../../core/config/load.ts';
import { reportConfigError } from '../config-report.ts';
import { describeNext } from '../scheduler.ts';
import { machineConfigPath } from '../machine-paths.ts';

export function checkConfigCommand(options: { config?: string; packaged?: boolean }): number {
  try {
    // The installed app checks the config as the installed kiosk would read it.
    const loaded = loadConfig({ configPath: options.config, machineConfigPath: machineConfigPath(), packaged: options.packaged ?? false });
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
    const report = {
      file: loaded.file ?? null,
      demo: loaded.demo,
      // Which UI the kiosk serves at /.
      ui: loaded.config.ui.dir ?? 'bundled',
      // What the schedule will do next, on its own clock: the thing to check before a night.
      next: describeNext(loaded.config.schedule, Date.now()),
      config: redactConfig(loaded.config),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (error) {
    return reportConfigError(error);
  }
}
