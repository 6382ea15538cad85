import { useFormats, usePlaceWords } from '../hooks/i18n.ts';
import type { Office } from '../lib/content.ts';
import { whereLabel } from '../lib/offices.ts';
import { ClockIcon, PhoneIcon, PinIcon } from './icons.tsx';

/** A card that opens the office's detail: its name is the button (a whole-card touch target). */
export function OfficeCard({ office, onOpen, level = 2 }: { office: Office; onOpen: (id: string) => void; level?: 2 | 3 }) {
  const formats = useFormats();
  const where = whereLabel(office, usePlaceWords());
  const hours = office.openingHours === null ? [office.hours].filter((h) => h !== '') : formats.openingHours(office.openingHours);
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <article className="office card" data-testid="office" data-id={office.id}>
      <Heading className="office__name">
        <button type="button" className="card__open" onClick={() => onOpen(office.id)} dir="auto">
          {office.name}
        </button>
      </Heading>
      {where !== '' && (
        <p className="office__where">
          <PinIcon className="icon icon--inline" />
          <span dir="auto">{where}</span>
        </p>
      )}
      {office.description !== '' && (
        <p className="office__description" dir="auto">
          {office.description}
        </p>
      )}
      <div className="office__facts">
        {hours.length > 0 && (
          <p className="office__fact">
            <ClockIcon className="icon icon--inline" />
            <span>{hours.join('; ')}</span>
          </p>
        )}
        {office.phone !== '' && (
          <p className="office__fact">
            <PhoneIcon className="icon icon--inline" />
            <span>{office.phone}</span>
          </p>
        )}
      </div>
    </article>
  );
}
