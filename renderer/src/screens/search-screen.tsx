// Search by task ("marriage", "property tax", "vote") in the visitor's language, with an
// on-screen keyboard, and the services of every office A–Z for those who would rather
// browse (and for Chinese, which this keyboard cannot type).
import { useMemo } from 'react';
import { useSettled } from '../hooks/focus.ts';
import { useFormats, useLanguage, useMessages } from '../hooks/i18n.ts';
import { searchMessages } from '../i18n/messages.ts';
import type { Content } from '../lib/content.ts';
import { indexLetter, searchEvents, searchOffices, servicesIndex } from '../lib/search.ts';
import { EventCard } from '../ui/event-card.tsx';
import { OfficeCard } from '../ui/office-card.tsx';
import { OnScreenKeyboard } from '../ui/on-screen-keyboard.tsx';
import { ScreenHeading } from '../ui/screen-heading.tsx';

const MAX_RESULTS = 30;
/** The result count is spoken once typing pauses, not at every key. */
const ANNOUNCE_AFTER_MS = 900;

interface SearchScreenProps {
  content: Content;
  /** The same content in English, searched too (at a lower weight). */
  english: Content | null;
  query: string;
  now: number;
  onQuery: (query: string) => void;
  onOpenOffice: (id: string) => void;
  onOpenEvent: (id: string) => void;
}

export function SearchScreen({ content, english, query, now, onQuery, onOpenOffice, onOpenEvent }: SearchScreenProps) {
  const t = useMessages(searchMessages);
  const language = useLanguage();
  const { locale } = useFormats();
  const offices = useMemo(() => searchOffices(content.offices, query, locale, english?.offices).slice(0, MAX_RESULTS), [content, english, query, locale]);
  const events = useMemo(() => searchEvents(content.events, query, locale, english?.events).slice(0, MAX_RESULTS), [content, english, query, locale]);
  const services = useMemo(() => servicesIndex(content.offices, locale), [content, locale]);
  const searching = query.trim() !== '';
  const total = offices.length + events.length;
  const spoken = useSettled(searching ? (total === 0 ? t.nothing : t.results(total)) : '', ANNOUNCE_AFTER_MS);

  return (
    <div className="page search">
      <div className="page__head">
        <ScreenHeading className="page__title">{t.title}</ScreenHeading>
        <p className="page__lede">{t.lede}</p>
      </div>
      <div className="search__layout">
        <div className="search__input">
          <label className="search__label" htmlFor="search-query">
            {t.label}
          </label>
          <input
            id="search-query"
            className="search__field"
            type="search"
            inputMode="none"
            autoComplete="off"
            spellCheck={false}
            enterKeyHint="search"
            value={query}
            placeholder={t.placeholder}
            maxLength={80}
            onChange={(event) => onQuery(event.target.value)}
          />
          <OnScreenKeyboard language={language} onKey={(text) => onQuery(query + text)} onDelete={() => onQuery(query.slice(0, -1))} onClear={() => onQuery('')} />
        </div>
        <div className="scroller search__results" tabIndex={0} role="region" aria-labelledby="screen-heading" data-testid="search-results">
          <p className="visually-hidden" role="status">
            {spoken}
          </p>
          {searching ? (
            <>
              <p className="search__count" aria-hidden="true">
                {total === 0 ? t.nothing : t.results(total)}
              </p>
              {offices.length > 0 && (
                <section aria-labelledby="search-offices">
                  <h2 className="search__heading" id="search-offices">
                    {t.officesHeading}
                  </h2>
                  <div className="offices">
                    {offices.map(({ item }) => (
                      <OfficeCard key={item.id} office={item} onOpen={onOpenOffice} level={3} />
                    ))}
                  </div>
                </section>
              )}
              {events.length > 0 && (
                <section aria-labelledby="search-events">
                  <h2 className="search__heading" id="search-events">
                    {t.eventsHeading}
                  </h2>
                  <div className="day__events">
                    {events.map(({ item }) => (
                      <EventCard key={item.id} event={item} now={now} onOpen={onOpenEvent} />
                    ))}
                  </div>
                </section>
              )}
            </>
          ) : (
            <ServicesAZ title={t.services} entries={services} onOpen={onOpenOffice} />
          )}
        </div>
      </div>
    </div>
  );
}

function ServicesAZ({ title, entries, onOpen }: { title: string; entries: ReturnType<typeof servicesIndex>; onOpen: (id: string) => void }) {
  const groups: { letter: string; entries: typeof entries }[] = [];
  for (const entry of entries) {
    const letter = indexLetter(entry.service);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.letter === letter) last.entries.push(entry);
    else groups.push({ letter, entries: [entry] });
  }
  return (
    <section aria-labelledby="search-services" data-testid="services-az">
      <h2 className="search__heading" id="search-services">
        {title}
      </h2>
      {groups.map((group, index) => (
        <div className="services__group" key={`${group.letter}-${index}`}>
          {group.letter !== '' && <h3 className="services__letter">{group.letter}</h3>}
          <ul className="services">
            {group.entries.map(({ service, office }) => (
              <li key={`${office.id}-${service}`}>
                <button type="button" className="service" onClick={() => onOpen(office.id)}>
                  <span className="service__name" dir="auto">
                    {service}
                  </span>
                  <span className="service__office" dir="auto">
                    {office.name}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
