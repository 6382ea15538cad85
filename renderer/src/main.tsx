// Start-up, in this order: the page SDK (imported first, it takes the key out of the URL
// and starts the shell's page agent before anything else runs), the lock-down, the loading
// screen, then the session with the shell and the kiosk proper.
import { connect, KioskSdkError } from '/kiosk-shell/sdk.js';
import { type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { markScreen } from './hooks/screen-marker.ts';
import { KioskApp } from './kiosk-app.tsx';
import { installLockdown } from './lib/lockdown.ts';
import { LoadingScreen, NoKeyScreen } from './screens/status-screens.tsx';
import './styles/kiosk.css';

installLockdown(window);

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

connect({ manualShown: true }).then(
  (kiosk) => {
    root.render(
      <StrictMode>
        <KioskApp kiosk={kiosk} bridge={window.kiosk} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    if (!(error instanceof KioskSdkError)) throw error;
    markScreen('no-key', false);
    root.render(
      <Standalone>
        <NoKeyScreen />
      </Standalone>,
    );
  },
);
