// Last-resort handlers: a kiosk runs unattended for months, so an error nobody caught is
// logged (normalised, without secrets) and counted instead of ending the process. The
// parts that matter (uplink, server, window) heal themselves.
import { toError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export interface ProcessGuardStats {
  uncaught: number;
  unhandledRejections: number;
}

export function installProcessGuards(logger: Logger): ProcessGuardStats {
  const stats: ProcessGuardStats = { uncaught: 0, unhandledRejections: 0 };
  process.on('uncaughtException', (thrown) => {
    stats.uncaught++;
    logger.error({ err: toError(thrown) }, 'uncaught exception (kept running)');
  });
  process.on('unhandledRejection', (reason) => {
    stats.unhandledRejections++;
    logger.error({ err: toError(reason) }, 'unhandled promise rejection (kept running)');
  });
  return stats;
}
