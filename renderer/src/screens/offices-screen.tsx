import { useState } from 'react';
import type { Office } from '../lib/content.ts';
import { floorsOf, officesOnFloor } from '../lib/offices.ts';
import { OfficeCard } from '../ui/office-card.tsx';

export function OfficesScreen({ offices }: { offices: readonly Office[] }) {
  const [floor, setFloor] = useState<string | null>(null);
  const floors = floorsOf(offices);
  // A floor that disappeared in a refresh must not leave an empty, unexplained list.
  const selected = floor !== null && floors.includes(floor) ? floor : null;
  const listed = officesOnFloor(offices, selected);
  return (
    <div className="page">
      <div className="page__head page__head--split">
        <div>
          <h1 className="page__title">Offices</h1>
          <p className="page__lede">Departments in this building, with their floor, room and opening hours.</p>
        </div>
        {floors.length > 1 && (
          <div className="floors" role="group" aria-label="Show offices on floor">
            <span className="floors__label">Floor</span>
            <button type="button" className="chip" aria-pressed={selected === null} onClick={() => setFloor(null)}>
              All
            </button>
            {floors.map((f) => (
              <button key={f} type="button" className="chip" aria-pressed={selected === f} data-floor={f} onClick={() => setFloor(f)}>
                {f}
              </button>
            ))}
          </div>
        )}
      </div>
      <div className="scroller" key={selected ?? 'all'}>
        {listed.length === 0 ? (
          <p className="page__empty">No offices are listed right now.</p>
        ) : (
          <div className="offices">
            {listed.map((office) => (
              <OfficeCard key={office.id} office={office} />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
