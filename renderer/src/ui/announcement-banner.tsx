import type { AnnouncementLevel } from '../lib/shell-messages.ts';
import { CloseIcon } from './icons.tsx';

export interface Announcement {
  /** Distinguishes two announcements with the same text (each restarts the timeout). */
  serial: number;
  text: string;
  level: AnnouncementLevel;
}

/** Upstream text, rendered as text: React escapes it; it is never parsed as HTML. */
export function AnnouncementBanner({ announcement, onDismiss }: { announcement: Announcement; onDismiss: () => void }) {
  return (
    <div
      className={`announcement announcement--${announcement.level}`}
      data-testid="announcement"
      data-level={announcement.level}
      role={announcement.level === 'urgent' ? 'alert' : 'status'}
    >
      <span className="announcement__label">{announcement.level === 'urgent' ? 'Important' : 'Notice'}</span>
      <p className="announcement__text">{announcement.text}</p>
      <button type="button" className="announcement__dismiss" onClick={onDismiss} aria-label="Dismiss this announcement">
        <CloseIcon className="icon" />
        <span>Dismiss</span>
      </button>
    </div>
  );
}
