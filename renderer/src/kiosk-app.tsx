// The kiosk once it has its key: content, the link to the shell, idle return-to-home,
// announcements, and which screen all of that adds up to.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { KioskBridge } from '../../electron/preload.cts';
import { IdleProvider } from './hooks/idle.tsx';
import { type ScreenName, useScreenMarker } from './hooks/screen-marker.ts';
import { useNow } from './hooks/use-now.ts';
import { fetchContent } from './lib/api.ts';
import { INITIAL_LINK_STATUS, indicatorOf, type LinkStatus, withSocket, withUplink } from './lib/connection.ts';
import { ContentLoader, REFRESH_INTERVAL_MS } from './lib/content-loader.ts';
import { timeOfDay } from './lib/format.ts';
import { DEFAULT_IDLE_SECONDS, IdleTimer } from './lib/idle.ts';
import { SESSION_KEY_NAME } from './lib/key.ts';
import type { PageAgent } from './lib/page-agent.ts';
import { ShellLink, socketUrl } from './lib/shell-link.ts';
import type { ShellMessage } from './lib/shell-messages.ts';
import { realTimers } from './lib/timers.ts';
import { clearSiteData, wipeVisitorStorage, type WipeEnvironment } from './lib/visitor-session.ts';
import { EventsScreen } from './screens/events-screen.tsx';
import { HomeScreen } from './screens/home-screen.tsx';
import { OfficesScreen } from './screens/offices-screen.tsx';
import { LoadingScreen, OfflineScreen } from './screens/status-screens.tsx';
import { type Announcement, AnnouncementBanner } from './ui/announcement-banner.tsx';
import { BottomNav, type Route } from './ui/bottom-nav.tsx';
import { ConnectionBadge } from './ui/connection-badge.tsx';
import { TopBar } from './ui/top-bar.tsx';

/** After a reconnect, content older than this is fetched again (a content.updated may have been missed). */
const RECONNECT_REFRESH_AGE_MS = 30_000;
const ANNOUNCEMENT_MS = { info: 3 * 60_000, urgent: 10 * 60_000 } as const;
const ACTIVITY_EVENTS = ['pointerdown', 'touchstart', 'keydown', 'wheel'] as const;

const SUBTITLES: Record<ScreenName, string> = {
  home: 'Welcome — touch to explore',
  events: 'Events',
  offices: 'Office directory',
  offline: 'Welcome',
  loading: 'Welcome',
  'no-key': '',
};

function browserStorage(): WipeEnvironment {
  const get = <T,>(read: () => T): T | null => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  return {
    localStorage: get(() => window.localStorage),
    sessionStorage: get(() => window.sessionStorage),
    indexedDB: get(() => window.indexedDB),
    caches: get(() => window.caches),
    document,
  };
}

function rememberKey(key: string): void {
  try {
    window.sessionStorage.setItem(SESSION_KEY_NAME, key);
  } catch {
    // Storage unavailable: the reload shows the no-key screen, and the shell reloads again.
  }
}

export function KioskApp({ kioskKey, bridge, agent }: { kioskKey: string; bridge: KioskBridge | undefined; agent: PageAgent }) {
  const [loader] = useState(
    () =>
      new ContentLoader({
        load: () => fetchContent(kioskKey, (input, init) => fetch(input, init)),
        timers: realTimers,
      }),
  );
  const snapshot = useSyncExternalStore(loader.subscribe, loader.getSnapshot);
  const [route, setRoute] = useState<Route>('home');
  const [link, setLink] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [kioskId, setKioskId] = useState<string | null>(null);
  const [idleSeconds, setIdleSeconds] = useState(DEFAULT_IDLE_SECONDS);
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  const [idle] = useState(() => new IdleTimer(realTimers, () => setRoute('home')));
  const now = useNow();

  const content = snapshot.content;
  const shown = content !== null;
  const screen: ScreenName = content !== null ? route : snapshot.failure !== null ? 'offline' : 'loading';
  useScreenMarker(screen, shown);

  // Read by the heartbeat, which must not restart the link whenever the screen changes.
  const shownRef = useRef(shown);
  const linkRef = useRef<ShellLink | null>(null);
  useEffect(() => {
    shownRef.current = shown;
  }, [shown]);

  useEffect(() => {
    loader.start();
    return () => loader.stop();
  }, [loader]);

  useEffect(() => {
    let greeted = false;
    const onMessage = (message: ShellMessage) => {
      switch (message.type) {
        case 'local.hello':
          setKioskId(message.kioskId);
          setLink((status) => withUplink(status, message.uplink));
          setIdleSeconds(message.settings.idleReturnHomeSeconds);
          // A touch screen has no pointer to show; the shell's config decides.
          document.documentElement.classList.toggle('cursor-hidden', message.settings.hideCursor);
          // Anything published while the link was down was missed.
          if (greeted) loader.refreshIfStale(RECONNECT_REFRESH_AGE_MS);
          greeted = true;
          break;
        case 'local.uplink':
          setLink((status) => withUplink(status, message.state));
          if (message.state === 'open') loader.refreshIfStale(RECONNECT_REFRESH_AGE_MS);
          break;
        case 'local.reload':
          window.location.reload();
          break;
        case 'local.home':
          setRoute('home');
          void wipeVisitorStorage(browserStorage()).then(() => linkRef.current?.done(message.id));
          break;
        case 'local.clear-session':
          void wipeVisitorStorage(browserStorage())
            .then(() => clearSiteData(kioskKey, (input, init) => fetch(input, init)))
            .then(() => {
              // Clear-Site-Data takes sessionStorage too: the reload needs its key back.
              rememberKey(kioskKey);
              window.location.reload();
            });
          break;
        case 'local.display':
          agent.setPower(message.power);
          break;
        case 'content.updated':
          loader.refresh();
          break;
        case 'announcement':
          setAnnouncement((previous) => ({ serial: (previous?.serial ?? 0) + 1, text: message.text, level: message.level }));
          break;
      }
    };
    const shellLink = new ShellLink({
      url: socketUrl(window.location.host),
      key: kioskKey,
      createSocket: (url, protocols) => new WebSocket(url, protocols),
      timers: realTimers,
      isShown: () => shownRef.current,
      onMessage,
      onSocketState: (state) => setLink((status) => withSocket(status, state)),
    });
    linkRef.current = shellLink;
    shellLink.start();
    const stopReporting = agent.onInput(() => shellLink.activity());
    return () => {
      stopReporting();
      shellLink.stop();
      linkRef.current = null;
    };
  }, [kioskKey, loader, agent]);

  // local.shown, once per page load: the ShellLink remembers it was sent.
  const firstShownHome = useRef<boolean | null>(null);
  useEffect(() => {
    if (!shown) return;
    firstShownHome.current ??= route === 'home';
    linkRef.current?.contentShown(firstShownHome.current);
  }, [shown, route]);

  // Network signals: the machine came back online → retry now rather than at the next backoff.
  useEffect(() => {
    const retry = () => loader.refreshIfStale(REFRESH_INTERVAL_MS);
    window.addEventListener('online', retry);
    const unsubscribe = bridge?.onStatus((status) => {
      if (status.networkOnline) retry();
    });
    return () => {
      window.removeEventListener('online', retry);
      unsubscribe?.();
    };
  }, [bridge, loader]);

  // Idle return-to-home.
  useEffect(() => idle.setSeconds(idleSeconds), [idle, idleSeconds]);
  useEffect(() => idle.setAway(route !== 'home'), [idle, route]);
  useEffect(() => {
    const onActivity = () => idle.activity();
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { capture: true, passive: true });
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true });
      idle.dispose();
    };
  }, [idle]);

  // Announcements clear themselves.
  useEffect(() => {
    if (announcement === null) return undefined;
    const timer = setTimeout(() => setAnnouncement(null), ANNOUNCEMENT_MS[announcement.level]);
    return () => clearTimeout(timer);
  }, [announcement]);

  const navigate = useCallback((next: Route) => setRoute(next), []);
  const goHome = useCallback(() => setRoute('home'), []);
  const dismiss = useCallback(() => setAnnouncement(null), []);

  const stale = content !== null && snapshot.failure !== null;
  let body;
  if (content === null) {
    body = snapshot.failure !== null ? <OfflineScreen failure={snapshot.failure} nextAttemptAt={snapshot.nextAttemptAt} kioskId={kioskId} /> : <LoadingScreen />;
  } else if (route === 'events') {
    body = <EventsScreen events={content.events} now={now} />;
  } else if (route === 'offices') {
    body = <OfficesScreen offices={content.offices} />;
  } else {
    body = <HomeScreen content={content} now={now} onNavigate={navigate} />;
  }

  return (
    <IdleProvider timer={idle}>
      <div className={`layout layout--${screen}`}>
        <TopBar subtitle={SUBTITLES[screen]} now={now} showClock={screen !== 'home'} onHome={content !== null && route !== 'home' ? goHome : undefined}>
          {stale && snapshot.loadedAt !== null && (
            <p className="stale" data-testid="updating-paused" role="status">
              Updating paused · as of {timeOfDay(snapshot.loadedAt)}
            </p>
          )}
          <ConnectionBadge state={indicatorOf(link)} />
        </TopBar>
        {announcement !== null && <AnnouncementBanner key={announcement.serial} announcement={announcement} onDismiss={dismiss} />}
        <main className="layout__main">{body}</main>
        {content !== null && route !== 'home' && <BottomNav current={route} onNavigate={navigate} />}
      </div>
    </IdleProvider>
  );
}
