// The schedule, running: the display off in its windows, and the daily restart inside its
// window once nobody is using the kiosk. It re-reads the wall clock on every tick instead
// of trusting a timer set hours ago, so a clock that jumps (an NTP correction, a DST change)
// neither restarts twice nor skips a night:
//   - the date of the last scheduled restart is kept on disk: once per local date, even
//     across the restart itself, and a clock set back into the window does nothing;
//   - a process that starts inside the window (after the restart, a crash, a power cut)
//     counts as that night's restart: it is as fresh as one would make it;
//   - a jump forward over the whole window (the clock was before it at the last tick and is
//     past it now, the same night) restarts at once rather than waiting a day.
import type { KioskConfig } from '../core/config/schema.ts';
import type { Logger } from '../core/logger.ts';
import {
  displayOffAt,
  localTime,
  machineTimeZone,
  nextLocalMinute,
  nextTransitions,
  parseDays,
  parseTime,
  windowIntervals,
  type DisplaySchedule,
  type LocalTime,
} from '../core/schedule.ts';
import type { Display } from './display.ts';
import { readStateFile, saveStateFile } from './state-file.ts';

export interface ScheduleSummary {
  timezone: string;
  nextDisplayOff: string | null;
  nextDisplayOn: string | null;
  nextRestart: string | null;
}

export interface SchedulerOptions {
  schedule: KioskConfig['schedule'];
  display: Pick<Display, 'scheduled'>;
  /** Runs the day's restart: when idle, by `deadline` (epoch ms) at the latest. */
  restart: (request: { id: string; deadline: number }) => void;
  logger: Logger;
  /** Where the date of the last scheduled restart is kept; undefined keeps it in memory. */
  stateFile: string | undefined;
  tickMs?: number;
  now?: () => number;
  random?: () => number;
}

/** The display windows of a validated schedule, in week minutes. */
export function displayScheduleOf(schedule: KioskConfig['schedule']): DisplaySchedule {
  const intervals = schedule.displayOff.flatMap((window) => windowIntervals(parseDays(window.days) as number[], parseTime(window.from) as number, parseTime(window.to) as number));
  return { zone: schedule.timezone ?? machineTimeZone(), intervals };
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #display: DisplaySchedule;
  readonly #restartAt: number | undefined;
  readonly #restartJitter: number;
  #lastRestartDate: string | undefined;
  #lastTick: LocalTime | undefined;
  /** The chosen minute of today's restart, per local date. */
  #due: { date: string; minute: number } | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#display = displayScheduleOf(options.schedule);
    const restart = options.schedule.restart;
    this.#restartAt = restart === undefined ? undefined : (parseTime(restart.at) as number);
    this.#restartJitter = restart?.jitterMinutes ?? 0;
    const saved = options.stateFile === undefined ? undefined : (readStateFile(options.stateFile) as { lastRestartDate?: unknown } | undefined);
    this.#lastRestartDate = typeof saved?.lastRestartDate === 'string' ? saved.lastRestartDate : undefined;
  }

  get zone(): string {
    return this.#display.zone;
  }

  start(): void {
    this.tick();
    this.#timer = setInterval(() => this.tick(), this.#o.tickMs ?? 15_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Brings the display and the restart in line with the clock now. */
  tick(): void {
    const now = this.#now();
    void this.#o.display.scheduled(displayOffAt(this.#display, now)).catch((error: unknown) => this.#o.logger.warn({ err: error }, 'schedule: could not switch the display'));
    const local = localTime(now, this.#display.zone);
    this.#checkRestart(now, local);
    this.#lastTick = local;
  }

  summary(): ScheduleSummary {
    const now = this.#now();
    const transitions = nextTransitions(this.#display, now, 2);
    const iso = (at: number | undefined) => (at === undefined || Number.isNaN(at) ? null : new Date(at).toISOString());
    return {
      timezone: this.#display.zone,
      nextDisplayOff: iso(transitions.find((t) => t.what === 'display off')?.at),
      nextDisplayOn: iso(transitions.find((t) => t.what === 'display on')?.at),
      nextRestart: this.#restartAt === undefined ? null : iso(nextLocalMinute(this.#display.zone, this.#restartAt, now)),
    };
  }

  #checkRestart(now: number, local: LocalTime): void {
    const at = this.#restartAt;
    if (at === undefined || this.#lastRestartDate === local.date) return;
    const end = at + this.#restartJitter;
    const previous = this.#lastTick;
    const jumpedOver = previous !== undefined && previous.date === local.date && previous.minute < at && local.minute > end;
    const inWindow = local.minute >= at && local.minute <= end;
    if (!inWindow && !jumpedOver) return;
    if (previous === undefined) {
      // This process started inside the window: it is as fresh as a restart would make it.
      this.#done(local.date);
      this.#o.logger.info({ date: local.date }, 'schedule: started inside the restart window; no restart needed tonight');
      return;
    }
    if (this.#due?.date !== local.date) this.#due = { date: local.date, minute: at + Math.floor(this.#random() * (this.#restartJitter + 1)) };
    if (!jumpedOver && local.minute < this.#due.minute) return;
    // Once per local date: kept before the restart, which may take this process with it.
    this.#done(local.date);
    // The window's last minute ends at its end (zones' offsets are whole minutes).
    const deadline = jumpedOver ? now : now - (now % 60_000) + (end - local.minute + 1) * 60_000;
    this.#o.logger.info({ date: local.date, deadline: new Date(deadline).toISOString(), jumpedOver }, 'schedule: the daily restart is due');
    this.#o.restart({ id: `schedule-restart-${local.date}`, deadline });
  }

  #done(date: string): void {
    this.#lastRestartDate = date;
    if (this.#o.stateFile !== undefined) saveStateFile(this.#o.stateFile, { lastRestartDate: date });
  }
}

/** The next transitions in words, on the schedule's own clock: "display off Mon 19:00, on Tue 07:00, restart Tue 03:30–03:50". */
export function describeNext(schedule: KioskConfig['schedule'], now: number): string {
  const display = displayScheduleOf(schedule);
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: display.zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const when = (at: number) => format.format(at).replace(',', '');
  const parts = nextTransitions(display, now, 2).map((t, i) => (i === 0 ? `${t.what} ${when(t.at)}` : `${t.what.replace('display ', '')} ${when(t.at)}`));
  const restart = schedule.restart;
  if (restart !== undefined) {
    const start = nextLocalMinute(display.zone, parseTime(restart.at) as number, now);
    const end = start + restart.jitterMinutes * 60_000;
    parts.push(restart.jitterMinutes > 0 ? `restart ${when(start)}–${when(end).split(' ')[1]}` : `restart ${when(start)}`);
  }
  return parts.length === 0 ? 'no display schedule and no daily restart' : parts.join(', ');
}
