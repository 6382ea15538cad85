// Everything about one event or office, in full (no clamped text), where it is, and a QR
// code to take it away: the item's own link when the content has one, else its details
// as text.
import type { ReactNode } from 'react';
import { useFormats, useMessages, usePlaceWords, literal } from '../hooks/i18n.ts';
import { commonMessages, detailMessages } from '../i18n/messages.ts';
import type { FloorPlan, KioskEvent, Office } from '../lib/content.ts';
import { whereLabel } from '../lib/offices.ts';
import { FloorPlanDiagram } from '../ui/floor-plan.tsx';
import { BackIcon } from '../ui/icons.tsx';
import { QrCode } from '../ui/qr-code.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

/** What a QR code carries when an item has no link: the essentials, a few short lines. */
const MAX_QR_TEXT = 300;

type Item = { kind: 'event'; event: KioskEvent } | { kind: 'office'; office: Office };

export function DetailScreen({ item, onBack }: { item: Item; onBack: () => void }) {
  const t = useMessages(detailMessages);
  const common = useMessages(commonMessages);
  const formats = useFormats();
  const places = usePlaceWords();

  let title: string;
  let description: string;
  let url: string | null;
  let floorPlan: FloorPlan | null;
  const facts: { heading: string; body: ReactNode; text: string }[] = [];
  if (item.kind === 'event') {
    const { event } = item;
    title = event.title;
    description = event.description;
    url = event.url;
    floorPlan = event.floorPlan;
    const when = `${formats.longDate(event.startsAt)}, ${formats.timeRange(event.startsAt, event.endsAt)}`;
    facts.push({ heading: t.when, body: when, text: when });
    const where = [event.location, whereLabel(event, places)].filter((part) => part !== '').join(' · ');
    if (where !== '') facts.push({ heading: t.where, body: <span dir="auto">{where}</span>, text: where });
  } else {
    const { office } = item;
    title = office.name;
    description = office.description;
    url = office.url;
    floorPlan = office.floorPlan;
    const where = whereLabel(office, places);
    if (where !== '') facts.push({ heading: t.where, body: <span dir="auto">{where}</span>, text: where });
    const hours = office.openingHours === null ? [office.hours].filter((h) => h !== '') : formats.openingHours(office.openingHours);
    if (hours.length > 0) {
      facts.push({
        heading: t.hours,
        body: (
          <ul className="detail__lines">
            {hours.map((line) => (
              <li key={line} dir="auto">
                {line}
              </li>
            ))}
          </ul>
        ),
        text: hours.join('; '),
      });
    }
    if (office.phone !== '') facts.push({ heading: t.phone, body: office.phone, text: office.phone });
    if (office.services.length > 0) {
      facts.push({
        heading: t.services,
        body: (
          <ul className="detail__lines detail__services">
            {office.services.map((service) => (
              <li key={service} dir="auto">
                {service}
              </li>
            ))}
          </ul>
        ),
        text: '',
      });
    }
  }
  const qrText = url ?? [title, ...facts.map((fact) => fact.text).filter((text) => text !== '')].join('\n').slice(0, MAX_QR_TEXT);
  const place = item.kind === 'office' ? title : item.event.location || title;

  return (
    <div className="page detail" data-testid="detail" data-kind={item.kind}>
      <div className="page__head detail__head">
        <button type="button" className="back" onClick={onBack}>
          <BackIcon className="icon" />
          <span>{common.back}</span>
        </button>
        <ScreenHeading className="page__title detail__title">
          <span dir="auto">{title}</span>
        </ScreenHeading>
      </div>
      <div className="scroller detail__body" tabIndex={0} role="region" aria-labelledby="screen-heading">
        <div className="detail__main">
          {description !== '' && (
            <p className="detail__description" data-testid="detail-description" dir="auto">
              {description}
            </p>
          )}
          {facts.map((fact) => (
            <section className="detail__fact" key={fact.heading}>
              <h2 className="detail__heading">{fact.heading}</h2>
              <div className="detail__value">{fact.body}</div>
            </section>
          ))}
          {floorPlan !== null && (
            <section className="detail__fact">
              <h2 className="detail__heading">{t.floorPlan}</h2>
              <FloorPlanDiagram plan={floorPlan} label={t.floorPlanOf({ place: literal(place) })} hereLabel={t.youAreHere} />
            </section>
          )}
        </div>
        <div className="detail__take-away">
          <QrCode text={qrText} label={url === null ? t.scanText : `${t.scanLink} ${url}`} />
          <p className="detail__scan">{url === null ? t.scanText : t.scanLink}</p>
          {url !== null && <p className="detail__url">{url}</p>}
        </div>
      </div>
    </div>
  );
}
