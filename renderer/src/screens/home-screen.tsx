import type { Content } from '../lib/content.ts';
import { clockParts, longDate, timeOfDay, dayHeading, dayKey } from '../lib/format.ts';
import { todaysEvents, upcomingEvents } from '../lib/schedule.ts';
import type { Route } from '../ui/bottom-nav.tsx';
import { EventCard } from '../ui/event-card.tsx';
import { ArrowIcon, CalendarIcon, DirectoryIcon } from '../ui/icons.tsx';

const HOME_EVENTS = 4;

export function HomeScreen({ content, now, onNavigate }: { content: Content; now: number; onNavigate: (route: Route) => void }) {
  const { time, period } = clockParts(now);
  const today = todaysEvents(content.events, now);
  const listed = today.slice(0, HOME_EVENTS);
  const more = today.length - listed.length;
  const next = today.length === 0 ? upcomingEvents(content.events, now)[0] : undefined;

  return (
    <div className="home">
      <section className="home__hero" aria-label="Time and date">
        <p className="clock">
          <span className="clock__time">{time}</span>
          <span className="clock__period">{period}</span>
        </p>
        <p className="home__date">{longDate(now)}</p>
        <p className="home__welcome">Find today’s public meetings and events, and the office you are looking for.</p>
      </section>

      <section className="home__today" aria-labelledby="home-today-title">
        <h2 className="section-title" id="home-today-title">
          Today at City Hall
        </h2>
        {listed.length > 0 ? (
          <div className="home__events">
            {listed.map((event) => (
              <EventCard key={event.id} event={event} now={now} compact />
            ))}
          </div>
        ) : (
          <div className="home__empty">
            <p className="home__empty-title">No more events today.</p>
            {next !== undefined && (
              <p className="home__empty-next">
                Next: {dayHeading(dayKey(next.startsAt), dayKey(now)).label} at {timeOfDay(next.startsAt)} — {next.title}
              </p>
            )}
          </div>
        )}
        {more > 0 && (
          <button type="button" className="home__more" onClick={() => onNavigate('events')}>
            {more === 1 ? '1 more event today' : `${more} more events today`}
            <ArrowIcon className="icon icon--inline" />
          </button>
        )}
      </section>

      <nav className="home__tiles" aria-label="Explore">
        <button type="button" className="tile" onClick={() => onNavigate('events')}>
          <CalendarIcon className="icon tile__icon" />
          <span className="tile__text">
            <span className="tile__title">Events</span>
            <span className="tile__hint">Meetings and events, today and this week</span>
          </span>
          <ArrowIcon className="icon tile__arrow" />
        </button>
        <button type="button" className="tile" onClick={() => onNavigate('offices')}>
          <DirectoryIcon className="icon tile__icon" />
          <span className="tile__text">
            <span className="tile__title">Offices</span>
            <span className="tile__hint">Find a department, its floor and room</span>
          </span>
          <ArrowIcon className="icon tile__arrow" />
        </button>
      </nav>
    </div>
  );
}
