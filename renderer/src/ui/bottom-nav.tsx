import { CalendarIcon, DirectoryIcon, HomeIcon } from './icons.tsx';

export type Route = 'home' | 'events' | 'offices';

const ITEMS = [
  { route: 'home', label: 'Home', Icon: HomeIcon },
  { route: 'events', label: 'Events', Icon: CalendarIcon },
  { route: 'offices', label: 'Offices', Icon: DirectoryIcon },
] as const;

export function BottomNav({ current, onNavigate }: { current: Route; onNavigate: (route: Route) => void }) {
  return (
    <nav className="bottom-nav" aria-label="Sections">
      {ITEMS.map(({ route, label, Icon }) => (
        <button
          key={route}
          type="button"
          className="bottom-nav__item"
          aria-current={route === current ? 'page' : undefined}
          onClick={() => onNavigate(route)}
        >
          <Icon className="icon bottom-nav__icon" />
          <span>{label}</span>
        </button>
      ))}
    </nav>
  );
}
