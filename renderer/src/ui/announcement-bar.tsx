// Announcements on every screen. Urgent ones (a fire alarm) are an alert and cannot be
// closed; info ones can be, for this visitor's session. Upstream text is rendered as text:
// React escapes it; it is never parsed as HTML.
import { useMessages } from '../hooks/i18n.ts';
import type { Language } from '../i18n/languages.ts';
import { announcementMessages } from '../i18n/messages.ts';
import { type AnnouncementItem, announcementTextFor } from '../lib/announcements.ts';
import { CloseIcon } from './icons.tsx';

export function AnnouncementBar({ items, language, onDismiss }: { items: readonly AnnouncementItem[]; language: Language; onDismiss: (id: string) => void }) {
  const t = useMessages(announcementMessages);
  if (items.length === 0) return null;
  return (
    <div className="announcements">
      {items.map((item) => {
        const text = announcementTextFor(item, language);
        const lang = item.text[language] !== undefined ? language : item.text.en !== undefined ? 'en' : undefined;
        return (
          <div key={item.id} className={`announcement announcement--${item.level}`} data-testid="announcement" data-level={item.level} data-id={item.id} role={item.level === 'urgent' ? 'alert' : 'status'}>
            <span className="announcement__label">{t[item.level]}</span>
            <p className="announcement__text" lang={lang} dir="auto">
              {text}
            </p>
            {item.level === 'info' && (
              <button type="button" className="announcement__dismiss" onClick={() => onDismiss(item.id)}>
                <CloseIcon className="icon" />
                <span>{t.dismiss}</span>
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}
