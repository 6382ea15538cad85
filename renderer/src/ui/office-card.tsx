import type { Office } from '../lib/content.ts';
import { whereLabel } from '../lib/offices.ts';
import { ClockIcon, PhoneIcon, PinIcon } from './icons.tsx';

export function OfficeCard({ office }: { office: Office }) {
  const where = whereLabel(office);
  return (
    <article className="office" data-testid="office">
      <h3 className="office__name">{office.name}</h3>
      {where !== '' && (
        <p className="office__where">
          <PinIcon className="icon icon--inline" />
          <span>{where}</span>
        </p>
      )}
      {office.description !== '' && <p className="office__description">{office.description}</p>}
      <div className="office__facts">
        {office.hours !== '' && (
          <p className="office__fact">
            <ClockIcon className="icon icon--inline" />
            <span>{office.hours}</span>
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
