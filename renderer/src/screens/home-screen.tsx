import { useFormats, useLanguage, useMessages } from '../hooks/i18n.ts';
import { type Language, LANGUAGES } from '../i18n/languages.ts';
import { commonMessages, homeMessages } from '../i18n/messages.ts';
import type { Content } from '../lib/content.ts';
import { dayKey } from '../lib/format.ts';
import { homeEvents } from '../lib/schedule.ts';
import type { Route } from '../lib/visitor-session.ts';
import { EventCard } from '../ui/event-card.tsx';
import { ArrowIcon, CalendarIcon, DirectoryIcon, SearchIcon } from '../ui/icons.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

// Candidates only: the list shows as many whole cards as its space holds (see .home__events).
const HOME_EVENTS = 6;
const COMING_UP = 4;
/** "Language" in each of the four: whoever reads one of them knows what the buttons are for. */
const LANGUAGE_GROUP_LABEL = 'Language · Idioma · 語言 · Wika';

interface HomeScreenProps {
  content: Content;
  now: number;
  onNavigate: (route: Route) => void;
  onOpenEvent: (id: string) => void;
  onLanguage: (language: Language) => void;
}

export function HomeScreen({ content, now, onNavigate, onOpenEvent, onLanguage }: HomeScreenProps) {
  const t = useMessages(homeMessages);
  const common = useMessages(commonMessages);
  const formats = useFormats();
  const current = useLanguage();
  const { time, period, periodFirst } = formats.clockParts(now);
  const { today: listed, comingUp } = homeEvents(content.events, now, { todayLimit: HOME_EVENTS, comingUpLimit: COMING_UP });
  const todayKey = dayKey(now);

  return (
    <div className="home">
      <section className="home__hero" aria-labelledby="screen-heading">
        <ScreenHeading className="home__title">{t.welcome}</ScreenHeading>
        {/* First after the welcome: the choice every visitor needs before reading on. */}
        <div className="languages" role="group" aria-label={LANGUAGE_GROUP_LABEL}>
          {LANGUAGES.map(({ code, name }) => (
            <button key={code} type="button" className="languages__button" lang={code} aria-pressed={code === current} data-language={code} onClick={() => onLanguage(code)}>
              {name}
            </button>
          ))}
        </div>
        <p className="clock">
          {periodFirst && <span className="clock__period">{period}</span>}
          <span className="clock__time">{time}</span>
          {!periodFirst && <span className="clock__period">{period}</span>}
        </p>
        <p className="home__date">{formats.longDate(now)}</p>
        <p className="home__welcome">{t.intro}</p>
      </section>

      <section className="home__today" aria-labelledby="home-today-title">
        <h2 className="section-title" id="home-today-title">
          {t.today}
        </h2>
        {listed.length > 0 ? (
          <div className={comingUp.length > 0 ? 'home__events home__events--few' : 'home__events'}>
            {listed.map((event) => (
              <EventCard key={event.id} event={event} now={now} onOpen={onOpenEvent} compact />
            ))}
          </div>
        ) : (
          <p className="home__empty">{t.noMoreToday}</p>
        )}
        {comingUp.length > 0 && (
          <>
            <h3 className="home__subtitle">{t.comingUp}</h3>
            <div className="home__events">
              {comingUp.map((event) => (
                <EventCard key={event.id} event={event} now={now} onOpen={onOpenEvent} compact level={3} day={formats.dayHeading(dayKey(event.startsAt), todayKey).label} />
              ))}
            </div>
          </>
        )}
      </section>

      <nav className="home__tiles" aria-label={t.explore}>
        <Tile route="events" title={common.events} hint={t.eventsHint} Icon={CalendarIcon} onNavigate={onNavigate} />
        <Tile route="offices" title={common.offices} hint={t.officesHint} Icon={DirectoryIcon} onNavigate={onNavigate} />
        <Tile route="search" title={t.searchTitle} hint={t.searchHint} Icon={SearchIcon} onNavigate={onNavigate} />
      </nav>
    </div>
  );
}

interface TileProps {
  route: Route;
  title: string;
  hint: string;
  Icon: typeof SearchIcon;
  onNavigate: (route: Route) => void;
}

function Tile({ route, title, hint, Icon, onNavigate }: TileProps) {
  return (
    <button type="button" className="tile" data-route={route} onClick={() => onNavigate(route)}>
      <Icon className="icon tile__icon" />
      <span className="tile__text">
        <span className="tile__title">{title}</span>
        <span className="tile__hint">{hint}</span>
      </span>
      <ArrowIcon className="icon tile__arrow" />
    </button>
  );
}
