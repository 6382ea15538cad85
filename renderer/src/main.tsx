// Start-up, in this order: lock the page down, start the page agent (its listeners must
// come first), take the key out of the URL (before anything else can see it), show the
// loading screen, then resolve the key and start.
import { type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { markScreen } from './hooks/screen-marker.ts';
import { KioskApp } from './kiosk-app.tsx';
import { resolveKey, takeFragmentKey } from './lib/key.ts';
import { installLockdown } from './lib/lockdown.ts';
import { startPageAgent } from './lib/page-agent.ts';
import { LoadingScreen, NoKeyScreen } from './screens/status-screens.tsx';
import './styles/kiosk.css';

installLockdown(window);
const agent = startPageAgent(window);

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const fragmentKey = takeFragmentKey({ location: window.location, history: window.history, storage: sessionStorageOrNull() });

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root');
const root = createRoot(container);

/** Full-screen notices before the kiosk proper starts (key still being resolved, or none). */
function Standalone({ children }: { children: ReactNode }) {
  return (
    <StrictMode>
      <div className="layout layout--standalone">
        <main className="layout__main">{children}</main>
      </div>
    </StrictMode>
  );
}

markScreen('loading', false);
root.render(
  <Standalone>
    <LoadingScreen />
  </Standalone>,
);

void resolveKey(window.kiosk, fragmentKey).then((key) => {
  if (key === null) {
    markScreen('no-key', false);
    root.render(
      <Standalone>
        <NoKeyScreen />
      </Standalone>,
    );
    return;
  }
  root.render(
    <StrictMode>
      <KioskApp kioskKey={key} bridge={window.kiosk} agent={agent} />
    </StrictMode>,
  );
});
