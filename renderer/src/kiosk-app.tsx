// The kiosk once it has its session with the shell (the page SDK): content, the visitor's
// session (language, screen, accessibility settings) and its idle return home,
// announcements, and which screen all of that adds up to.
import type { KioskSession } from '/kiosk-shell/sdk.js';
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { KioskBridge } from '../../electron/preload.cts';
import { useFocusScreenHeading } from './hooks/focus.ts';
import { useLanguage, useMessages } from './hooks/i18n.ts';
import { IdleProvider } from './hooks/idle.tsx';
import { type ScreenName, useScreenMarker } from './hooks/screen-marker.ts';
import { useNow } from './hooks/use-now.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from './i18n/languages.ts';
import { applyLanguage, commonMessages, preloadLanguages } from './i18n/messages.ts';
import { AnnouncementBoard } from './lib/announcements.ts';
import { createContentFetcher } from './lib/api.ts';
import { INITIAL_LINK_STATUS, indicatorOf, type LinkStatus, withSocket, withUplink } from './lib/connection.ts';
import { ContentLoader, REFRESH_INTERVAL_MS } from './lib/content-loader.ts';
import { DEFAULT_IDLE_SECONDS, IdleTimer } from './lib/idle.ts';
import { informationDesk } from './lib/offices.ts';
import { parseUpstreamMessage } from './lib/upstream-messages.ts';
import type { Content, KioskEvent, Office } from './lib/content.ts';
import { realTimers } from '../../sdk/timers.ts';
import { type Route, type VisitorState, VisitorSession } from './lib/visitor-session.ts';
import { DetailScreen } from './screens/detail-screen.tsx';
import { EventsScreen } from './screens/events-screen.tsx';
import { HomeScreen } from './screens/home-screen.tsx';
import { OfficesScreen } from './screens/offices-screen.tsx';
import { SearchScreen } from './screens/search-screen.tsx';
import { type DeskPlace, LoadingScreen, OfflineScreen } from './screens/status-screens.tsx';
import { AnnouncementBar } from './ui/announcement-bar.tsx';
import { BottomNav } from './ui/bottom-nav.tsx';
import { IdlePrompt } from './ui/idle-prompt.tsx';
import { SettingsDialog } from './ui/settings-dialog.tsx';
import { StatusIndicator } from './ui/status-indicator.tsx';
import { TopBar } from './ui/top-bar.tsx';

/** After a reconnect, content older than this is fetched again (a content.updated may have been missed). */
const RECONNECT_REFRESH_AGE_MS = 30_000;
const ACTIVITY_EVENTS = ['pointerdown', 'touchstart', 'keydown', 'wheel'] as const;
const DESK_STORAGE_KEY = 'kiosk-information-desk';

function readDesk(): DeskPlace | null {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(DESK_STORAGE_KEY) ?? 'null');
    if (typeof value === 'object' && value !== null && typeof (value as DeskPlace).floor === 'string' && typeof (value as DeskPlace).room === 'string') {
      return { floor: (value as DeskPlace).floor.slice(0, 40), room: (value as DeskPlace).room.slice(0, 40) };
    }
  } catch {
    // storage disabled or the value unreadable: the default words will do
  }
  return null;
}

function writeDesk(desk: DeskPlace): void {
  try {
    window.localStorage.setItem(DESK_STORAGE_KEY, JSON.stringify(desk));
  } catch {
    // not kept: the default words will do after a reload
  }
}

/** Late-bound callbacks from the idle timer to what React creates after it (the prompt's state). */
class Wiring {
  #onPrompt: (homeAt: number | null) => void = () => undefined;
  attachPrompt(onPrompt: (homeAt: number | null) => void): void {
    this.#onPrompt = onPrompt;
  }
  prompt(homeAt: number | null): void {
    this.#onPrompt(homeAt);
  }
}

/** The kiosk's long-lived parts, made once per page: React renders them, it does not own them. */
function createKiosk(kiosk: KioskSession) {
  const board = new AnnouncementBoard();
  const loader = new ContentLoader({
    load: createContentFetcher((path, init) => kiosk.api(path, init)),
    languages: LANGUAGES.map(({ code }) => code),
    timers: realTimers,
    onAnnouncements: (items) => board.setFromApi(items),
  });
  // The visitor's session; `session.returnHome()` is the one call that wipes it.
  const session = new VisitorSession();
  const wiring = new Wiring();
  const idle = new IdleTimer({
    timers: realTimers,
    onIdle: () => session.returnHome(),
    onPrompt: (homeAt) => wiring.prompt(homeAt),
    onInUse: (inUse) => kiosk.inUse(inUse),
  });
  return { board, loader, session, idle, wiring };
}

/** The announcements on screen now; re-rendered when the set changes and at each start or end. */
function useActiveAnnouncements(board: AnnouncementBoard) {
  const version = useSyncExternalStore(board.subscribe, board.getVersion);
  const [at, setAt] = useState(() => Date.now());
  useEffect(() => board.subscribe(() => setAt(Date.now())), [board]);
  useEffect(() => {
    const next = board.nextChange(at);
    if (next === null) return undefined;
    const timer = setTimeout(() => setAt(Date.now()), Math.min(Math.max(0, next - at) + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [board, at, version]);
  return board.active(at);
}

export function KioskApp({ kiosk, bridge }: { kiosk: KioskSession; bridge: KioskBridge | undefined }) {
  const [{ board, loader, session, idle, wiring }] = useState(() => createKiosk(kiosk));
  const visitor = useSyncExternalStore(session.subscribe, session.getState);
  const snapshot = useSyncExternalStore(loader.subscribe, loader.getSnapshot);
  const active = useActiveAnnouncements(board);
  const language = useLanguage();
  const common = useMessages(commonMessages);
  const [link, setLink] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [kioskId, setKioskId] = useState<string | null>(null);
  const [idleSeconds, setIdleSeconds] = useState(DEFAULT_IDLE_SECONDS);
  const [promptHomeAt, setPromptHomeAt] = useState<number | null>(null);
  const [storedDesk] = useState(readDesk);
  useEffect(() => {
    wiring.attachPrompt(setPromptHomeAt);
  }, [wiring]);
  const now = useNow();

  const content = snapshot.content;
  const shown = content !== null;
  const detail = detailOf(content, visitor.detail);
  const screen: ScreenName = content === null ? (snapshot.failure !== null ? 'offline' : 'loading') : detail !== null ? 'detail' : visitor.route;
  useScreenMarker(screen, shown);
  useFocusScreenHeading(`${screen}:${visitor.detail?.id ?? ''}`);

  useEffect(() => {
    loader.start();
    void preloadLanguages();
    return () => loader.stop();
  }, [loader]);

  // The language: the catalogue first, then text, <html lang> and content switch together.
  useEffect(() => {
    void applyLanguage(visitor.language);
  }, [visitor.language]);
  useLayoutEffect(() => {
    document.documentElement.lang = language;
    loader.setLanguage(language);
  }, [language, loader]);

  // Accessibility settings apply to the whole page (the root font size, the colours).
  useLayoutEffect(() => {
    const root = document.documentElement;
    root.dataset.textScale = String(visitor.textScale);
    root.dataset.contrast = visitor.highContrast ? 'high' : 'standard';
  }, [visitor.textScale, visitor.highContrast]);

  // The session with the shell: its hello and settings, the link's state, the upstream's frames.
  useEffect(() => {
    let greeted = false;
    const offHello = kiosk.onHello((hello) => {
      setKioskId(hello.kioskId);
      setIdleSeconds(hello.idleReturnHomeSeconds);
      // A touch screen has no pointer to show; the shell's config decides.
      document.documentElement.classList.toggle('cursor-hidden', hello.hideCursor);
      // Anything published while the link was down was missed.
      if (greeted) loader.refreshIfStale(RECONNECT_REFRESH_AGE_MS);
      greeted = true;
    });
    const offState = kiosk.onState((state) => {
      setLink((status) => {
        const next = withSocket(status, state.socket);
        return state.uplink === null ? next : withUplink(next, state.uplink);
      });
      if (state.uplink === 'open') loader.refreshIfStale(RECONNECT_REFRESH_AGE_MS);
    });
    const offMessage = kiosk.onMessage((frame) => {
      const message = parseUpstreamMessage(frame);
      if (message === null) return;
      if (message.type === 'content.updated') loader.refresh();
      else if (message.type === 'announcement') board.receive(message.announcement);
      else board.withdraw(message.id);
    });
    // The shell's `home`: the one call that wipes the visitor's session (the SDK wipes storage).
    const offHome = kiosk.onHome(() => session.returnHome());
    kiosk.inUse(idle.inUse);
    return () => {
      offHello();
      offState();
      offMessage();
      offHome();
    };
  }, [kiosk, loader, board, idle, session]);

  // Content on screen, once per page load (the SDK sends it once).
  const firstShownHome = useRef<boolean | null>(null);
  useEffect(() => {
    if (!shown) return;
    firstShownHome.current ??= screen === 'home';
    kiosk.shown({ home: firstShownHome.current });
  }, [kiosk, shown, screen]);

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

  // Where the information desk is: from the content, else as a previous page load saw it.
  const foundDesk = content === null ? null : informationDesk(content.offices);
  const desk: DeskPlace | null = foundDesk === null ? storedDesk : { floor: foundDesk.floor, room: foundDesk.room };
  useEffect(() => {
    if (foundDesk !== null) writeDesk({ floor: foundDesk.floor, room: foundDesk.room });
  }, [foundDesk]);

  // Idle return home, with its prompt: armed whenever the session is not fresh.
  useEffect(() => idle.setSeconds(idleSeconds), [idle, idleSeconds]);
  useEffect(() => idle.setAway(!session.fresh), [idle, session, visitor]);
  useEffect(() => {
    const onActivity = () => idle.activity();
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { capture: true, passive: true });
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true });
      idle.dispose();
    };
  }, [idle]);

  // Escape goes back: the dialog, the detail, the section (a dialog's own Escape is its `cancel`).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]') !== null) return;
      session.back();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  const announcements = active.filter((item) => item.level === 'urgent' || !visitor.dismissed.has(item.id));

  const openEvent = (id: string) => session.openDetail('event', id);
  const openOffice = (id: string) => session.openDetail('office', id);
  const navigate = (route: Route) => session.navigate(route);

  // Not current: the last attempt failed, or the relay served its kept copy.
  const asOf = content === null ? null : snapshot.staleSince ?? (snapshot.failure !== null ? snapshot.loadedAt : null);
  let body;
  if (content === null) {
    body = snapshot.failure !== null ? <OfflineScreen reason={snapshot.failure.reason} nextAttemptAt={snapshot.nextAttemptAt} kioskId={kioskId} desk={desk} /> : <LoadingScreen />;
  } else if (detail !== null) {
    body = <DetailScreen item={detail} onBack={() => session.closeDetail()} />;
  } else if (visitor.route === 'events') {
    body = <EventsScreen events={content.events} now={now} onOpen={openEvent} />;
  } else if (visitor.route === 'offices') {
    body = <OfficesScreen offices={content.offices} floor={visitor.floor} onFloor={(floor) => session.setFloor(floor)} onOpen={openOffice} />;
  } else if (visitor.route === 'search') {
    body = <SearchScreen content={content} english={loader.contentIn(DEFAULT_LANGUAGE)} query={visitor.query} now={now} onQuery={(query) => session.setQuery(query)} onOpenOffice={openOffice} onOpenEvent={openEvent} />;
  } else {
    body = <HomeScreen content={content} now={now} onNavigate={navigate} onOpenEvent={openEvent} onLanguage={(code) => session.setLanguage(code)} />;
  }
  const subtitles: Partial<Record<ScreenName, string>> = { events: common.events, offices: common.offices, search: common.search };

  return (
    <IdleProvider timer={idle}>
      <div className={`layout layout--${screen}`}>
        <TopBar subtitle={subtitles[screen] ?? ''} now={now} showClock={screen !== 'home'} onAccessibility={content === null ? undefined : () => session.setSettingsOpen(true)}>
          <StatusIndicator link={indicatorOf(link)} asOf={asOf} now={now} />
        </TopBar>
        <AnnouncementBar items={announcements} language={language} onDismiss={(id) => session.dismiss(id)} />
        <main className="layout__main">{body}</main>
        {content !== null && screen !== 'home' && <BottomNav current={detail === null ? visitor.route : null} onNavigate={navigate} />}
      </div>
      {visitor.settingsOpen && (
        <SettingsDialog
          textScale={visitor.textScale}
          highContrast={visitor.highContrast}
          onTextScale={(scale) => session.setTextScale(scale)}
          onHighContrast={(on) => session.setHighContrast(on)}
          onClose={() => session.setSettingsOpen(false)}
        />
      )}
      {promptHomeAt !== null && <IdlePrompt homeAt={promptHomeAt} onStay={() => idle.stay()} />}
    </IdleProvider>
  );
}

type DetailItem = { kind: 'event'; event: KioskEvent } | { kind: 'office'; office: Office };

/** The item a detail is open on, if it is still in the content (a refresh may have removed it). */
function detailOf(content: Content | null, open: VisitorState['detail']): DetailItem | null {
  if (content === null || open === null) return null;
  if (open.kind === 'event') {
    const event = content.events.find((e) => e.id === open.id);
    return event === undefined ? null : { kind: 'event', event };
  }
  const office = content.offices.find((o) => o.id === open.id);
  return office === undefined ? null : { kind: 'office', office };
}
