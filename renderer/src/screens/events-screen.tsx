import type { KioskEvent } from '../lib/content.ts';
import { dayHeading, dayKey } from '../lib/format.ts';
import { groupByDay } from '../lib/schedule.ts';
import { EventCard } from '../ui/event-card.tsx';

export function EventsScreen({ events, now }: { events: readonly KioskEvent[]; now: number }) {
  const groups = groupByDay(events, now);
  const today = dayKey(now);
  return (
    <div className="page">
      <div className="page__head">
        <h1 className="page__title">Events</h1>
        <p className="page__lede">Public meetings, services and events at City Hall, today and in the days ahead.</p>
      </div>
      <div className="scroller">
        {groups.length === 0 ? (
          <p className="page__empty">There are no upcoming events listed right now.</p>
        ) : (
          groups.map((group) => {
            const heading = dayHeading(group.key, today);
            return (
              <section className="day" key={group.key} aria-label={`${heading.label}, ${heading.date}`}>
                <h2 className="day__heading">
                  <span className="day__label">{heading.label}</span>
                  <span className="day__date">{heading.date}</span>
                </h2>
                <div className="day__events">
                  {group.events.map((event) => (
                    <EventCard key={event.id} event={event} now={now} />
                  ))}
                </div>
              </section>
            );
          })
        )}
      </div>
    </div>
  );
}
