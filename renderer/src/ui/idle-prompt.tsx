// "Still there?": shown shortly before the return home. The seconds left are on screen but
// not in a live region: the prompt is announced once when it opens, not every second.
import { useEffect, useState } from 'react';
import { useMessages } from '../hooks/i18n.ts';
import { idleMessages } from '../i18n/messages.ts';
import { Modal } from './modal.tsx';

export function IdlePrompt({ homeAt, onStay }: { homeAt: number; onStay: () => void }) {
  const t = useMessages(idleMessages);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((homeAt - now) / 1_000));
  return (
    <Modal labelledBy="idle-title" describedBy="idle-body" role="alertdialog" className="modal idle-prompt" onCancel={onStay} onClick={onStay} testId="idle-prompt">
      <h2 className="modal__title" id="idle-title">
        {t.title}
      </h2>
      <p className="modal__body" id="idle-body">
        {t.body(seconds)}
      </p>
      {/* Any touch on the prompt answers it (the dialog's own click); the button says so. */}
      <button type="button" className="modal__primary" autoFocus>
        {t.stay}
      </button>
    </Modal>
  );
}
