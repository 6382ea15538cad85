import type { KioskEvent } from '../lib/content.ts';
import { timeRangeParts } from '../lib/format.ts';
import { isOngoing } from '../lib/schedule.ts';
import { PinIcon } from './icons.tsx';

interface EventCardProps {
  event: KioskEvent;
  now: number;
  compact?: boolean;
  /** "Tomorrow", "Tuesday": when the card is not under a day heading. */
  day?: string | undefined;
}

export function EventCard({ event, now, compact = false, day }: EventCardProps) {
  const ongoing = isOngoing(event, now);
  const { start, end } = timeRangeParts(event.startsAt, event.endsAt);
  return (
    <article className={`event${compact ? ' event--compact' : ''}${ongoing ? ' event--ongoing' : ''}`} data-testid="event">
      <div className="event__when">
        {day !== undefined && <span className="event__day">{day}</span>}
        <span className="event__time">{start}</span>
        {end !== null && <span className="event__until">until {end}</span>}
        {ongoing && <span className="event__now">Happening now</span>}
      </div>
      <div className="event__body">
        <h3 className="event__title">{event.title}</h3>
        {event.location !== '' && (
          <p className="event__location">
            <PinIcon className="icon icon--inline" />
            <span>{event.location}</span>
          </p>
        )}
        {!compact && event.description !== '' && <p className="event__description">{event.description}</p>}
      </div>
    </article>
  );
}
