import { useFormats, useMessages } from '../hooks/i18n.ts';
import { commonMessages, eventsMessages } from '../i18n/messages.ts';
import type { KioskEvent } from '../lib/content.ts';
import { dayKey } from '../lib/format.ts';
import { groupByDay } from '../lib/schedule.ts';
import { EventCard } from '../ui/event-card.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

export function EventsScreen({ events, now, onOpen }: { events: readonly KioskEvent[]; now: number; onOpen: (id: string) => void }) {
  const t = useMessages(eventsMessages);
  const common = useMessages(commonMessages);
  const formats = useFormats();
  const groups = groupByDay(events, now);
  const today = dayKey(now);
  return (
    <div className="page">
      <div className="page__head">
        <ScreenHeading className="page__title">{common.events}</ScreenHeading>
        <p className="page__lede">{t.lede}</p>
      </div>
      <div className="scroller" tabIndex={0} role="region" aria-labelledby="screen-heading">
        {groups.length === 0 ? (
          <p className="page__empty">{t.empty}</p>
        ) : (
          groups.map((group) => {
            const heading = formats.dayHeading(group.key, today);
            return (
              <section className="day" key={group.key} aria-labelledby={`day-${group.key}`}>
                <h2 className="day__heading" id={`day-${group.key}`}>
                  <span className="day__label">{heading.label}</span>
                  <span className="day__date">{heading.date}</span>
                </h2>
                <div className="day__events">
                  {group.events.map((event) => (
                    <EventCard key={event.id} event={event} now={now} onOpen={onOpen} />
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
