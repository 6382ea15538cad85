// The smallest working kiosk page: content from the site's API through the kiosk's relay,
// a reaction to the upstream's frames, and a message of its own sent upstream. No build
// step, no token: the page SDK is served by the kiosk itself.
import { connect } from '/kiosk-shell/sdk.js';

const list = document.getElementById('events');
const status = document.getElementById('status');

// Tell the shell when content is really on screen (a reset's "reloaded" is timed by it).
const kiosk = await connect({ manualShown: true });

async function showEvents() {
  const response = await kiosk.api('/events/');
  if (!response.ok) {
    status.textContent = 'The information is not available right now.';
    return;
  }
  const body = await response.json();
  const events = Array.isArray(body) ? body : (body.events ?? body.results ?? []);
  list.replaceChildren(
    ...events.map((event) => {
      const item = document.createElement('li');
      item.textContent = event.title; // text, never HTML: the API is someone else's service
      return item;
    }),
  );
  kiosk.shown();
}

kiosk.onState(({ socket, uplink }) => {
  status.textContent = socket === 'open' && uplink === 'open' ? 'Live' : 'Reconnecting…';
});

// Frames the upstream sends the page. (Resets, restarts and the display are the shell's:
// the SDK takes care of them.)
kiosk.onMessage((message) => {
  if (message.type === 'content.updated') void showEvents();
});

// Only types listed in the kiosk's relay.allowUp reach the upstream.
document.getElementById('hello').addEventListener('click', () => {
  kiosk.send('minimal.hello', { at: new Date().toISOString() });
});

await showEvents();
