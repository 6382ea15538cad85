import { useMessages } from '../hooks/i18n.ts';
import { commonMessages } from '../i18n/messages.ts';
import type { Route } from '../lib/visitor-session.ts';
import { CalendarIcon, DirectoryIcon, HomeIcon, SearchIcon } from './icons.tsx';

const ITEMS = [
  { route: 'home', Icon: HomeIcon },
  { route: 'events', Icon: CalendarIcon },
  { route: 'offices', Icon: DirectoryIcon },
  { route: 'search', Icon: SearchIcon },
] as const;

export function BottomNav({ current, onNavigate }: { current: Route | null; onNavigate: (route: Route) => void }) {
  const t = useMessages(commonMessages);
  return (
    <nav className="bottom-nav" aria-label={t.sections}>
      {ITEMS.map(({ route, Icon }) => (
        <button
          key={route}
          type="button"
          className="bottom-nav__item"
          data-route={route}
          aria-current={route === current ? 'page' : undefined}
          onClick={() => onNavigate(route)}
        >
          <Icon className="icon bottom-nav__icon" />
          <span>{t[route]}</span>
        </button>
      ))}
    </nav>
  );
}
