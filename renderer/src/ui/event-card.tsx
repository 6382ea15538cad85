import { useFormats, useMessages } from '../hooks/i18n.ts';
import { eventsMessages } from '../i18n/messages.ts';
import type { KioskEvent } from '../lib/content.ts';
import { isOngoing } from '../lib/schedule.ts';
import { PinIcon } from './icons.tsx';

interface EventCardProps {
  event: KioskEvent;
  now: number;
  onOpen: (id: string) => void;
  compact?: boolean;
  /** "Tomorrow", "Tuesday": when the card is not under a day heading. */
  day?: string | undefined;
  /** The card's heading level under its section. */
  level?: 2 | 3;
}

/** A card that opens the event's detail: its title is the button (a whole-card touch target). */
export function EventCard({ event, now, onOpen, compact = false, day, level = 3 }: EventCardProps) {
  const t = useMessages(eventsMessages);
  const formats = useFormats();
  const ongoing = isOngoing(event, now);
  const { start, end } = formats.timeRangeParts(event.startsAt, event.endsAt);
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <article className={`event card${compact ? ' event--compact' : ''}${ongoing ? ' event--ongoing' : ''}`} data-testid="event" data-id={event.id}>
      <div className="event__when">
        {day !== undefined && <span className="event__day">{day}</span>}
        <span className="event__time">{start}</span>
        {end !== null && <span className="event__until">{t.until({ time: end })}</span>}
        {ongoing && <span className="event__now">{t.happeningNow}</span>}
      </div>
      <div className="event__body">
        <Heading className="event__title">
          <button type="button" className="card__open" onClick={() => onOpen(event.id)} dir="auto">
            {event.title}
          </button>
        </Heading>
        {event.location !== '' && (
          <p className="event__location">
            <PinIcon className="icon icon--inline" />
            <span dir="auto">{event.location}</span>
          </p>
        )}
        {!compact && event.description !== '' && (
          <p className="event__description" dir="auto">
            {event.description}
          </p>
        )}
      </div>
    </article>
  );
}
