// `kiosk-shell doctor`: one line per check, a hint for each failure, exit 1 if any failed.
import { formatReport, runDoctor } from '../doctor.ts';
import { machineConfigPath } from '../machine-paths.ts';

export interface DoctorCommandOptions {
  config?: string;
  shell?: 'electron' | 'chromium';
  /** The Electron app runs the command for an installed kiosk. */
  packaged?: boolean;
}

export async function doctorCommand(options: DoctorCommandOptions): Promise<number> {
  const results = await runDoctor({
    configPath: options.config,
    machineConfigPath: machineConfigPath(),
    packaged: options.packaged ?? false,
    shell: options.shell ?? 'electron',
  });
  process.stdout.write(`${formatReport(results)}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
