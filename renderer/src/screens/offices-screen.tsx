import { useFormats, useMessages, usePlaceWords } from '../hooks/i18n.ts';
import { commonMessages, officesMessages } from '../i18n/messages.ts';
import type { Office } from '../lib/content.ts';
import { floorLabel, floorsOf, officesOnFloor } from '../lib/offices.ts';
import { OfficeCard } from '../ui/office-card.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

interface OfficesScreenProps {
  offices: readonly Office[];
  floor: string | null;
  onFloor: (floor: string | null) => void;
  onOpen: (id: string) => void;
}

export function OfficesScreen({ offices, floor, onFloor, onOpen }: OfficesScreenProps) {
  const t = useMessages(officesMessages);
  const common = useMessages(commonMessages);
  const formats = useFormats();
  const places = usePlaceWords();
  const floors = floorsOf(offices);
  // A floor that disappeared in a refresh must not leave an empty, unexplained list.
  const selected = floor !== null && floors.includes(floor) ? floor : null;
  const listed = officesOnFloor(offices, selected, formats.locale);
  return (
    <div className="page">
      <div className="page__head page__head--split">
        <div>
          <ScreenHeading className="page__title">{common.offices}</ScreenHeading>
          <p className="page__lede">{t.lede}</p>
        </div>
        {floors.length > 1 && (
          <div className="floors" role="group" aria-label={t.showOnFloor}>
            <button type="button" className="chip" aria-pressed={selected === null} onClick={() => onFloor(null)}>
              {t.all}
            </button>
            {floors.map((f) => (
              <button key={f} type="button" className="chip" aria-pressed={selected === f} data-floor={f} onClick={() => onFloor(f)}>
                {floorLabel(f, places)}
              </button>
            ))}
          </div>
        )}
      </div>
      <div className="scroller" key={selected ?? 'all'} tabIndex={0} role="region" aria-labelledby="screen-heading">
        {listed.length === 0 ? (
          <p className="page__empty">{t.empty}</p>
        ) : (
          <div className="offices">
            {listed.map((office) => (
              <OfficeCard key={office.id} office={office} onOpen={onOpen} />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
