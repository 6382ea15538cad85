import type { Content } from '../lib/content.ts';
import { clockParts, dayHeading, dayKey, longDate } from '../lib/format.ts';
import { todaysEvents, upcomingEvents } from '../lib/schedule.ts';
import type { Route } from '../ui/bottom-nav.tsx';
import { EventCard } from '../ui/event-card.tsx';
import { ArrowIcon, CalendarIcon, DirectoryIcon } from '../ui/icons.tsx';

// Candidates only: the list shows as many whole cards as its space holds (see .home__events).
const HOME_EVENTS = 6;
const COMING_UP = 4;

export function HomeScreen({ content, now, onNavigate }: { content: Content; now: number; onNavigate: (route: Route) => void }) {
  const { time, period } = clockParts(now);
  const today = todaysEvents(content.events, now);
  const listed = today.slice(0, HOME_EVENTS);
  const comingUp = today.length === 0 ? upcomingEvents(content.events, now).slice(0, COMING_UP) : [];
  const todayKey = dayKey(now);

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
          <>
            <p className="home__empty">No more events today.</p>
            {comingUp.length > 0 && (
              <>
                <h3 className="home__subtitle">Coming up</h3>
                <div className="home__events">
                  {comingUp.map((event) => (
                    <EventCard key={event.id} event={event} now={now} compact day={dayHeading(dayKey(event.startsAt), todayKey).label} />
                  ))}
                </div>
              </>
            )}
          </>
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
