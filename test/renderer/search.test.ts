import { describe, expect, it } from 'vitest';
import { demoEvents, demoOfficesIn } from '../../kiosk/demo/content.ts';
import { type KioskEvent, type Office, parseEvent, parseOffice } from '../../renderer/src/lib/content.ts';
import { indexLetter, normalise, queryWords, searchEvents, searchOffices, servicesIndex } from '../../renderer/src/lib/search.ts';

const offices = (language: Parameters<typeof demoOfficesIn>[0]): Office[] => demoOfficesIn(language).map((item) => parseOffice(item)).filter((o): o is Office => o !== null);
const events = (language: Parameters<typeof demoEvents>[1]): KioskEvent[] => demoEvents(new Date('2025-11-28T10:00:00Z'), language).map((item) => parseEvent(item)).filter((e): e is KioskEvent => e !== null);
const names = (hits: { item: Office }[]) => hits.map((hit) => hit.item.name);

describe('normalise', () => {
  it('ignores case, accents, punctuation and full-width forms', () => {
    expect(normalise('Información, ¡Ñandú!')).toBe('informacion nandu');
    expect(normalise('ＴＡＸ')).toBe('tax');
    expect(queryWords('  Property   TAX tax ')).toEqual(['property', 'tax']);
  });
});

describe('searchOffices', () => {
  const en = offices('en');
  it('finds the County Clerk by task, first', () => {
    expect(names(searchOffices(en, 'marriage', 'en-US'))[0]).toBe('County Clerk');
    expect(names(searchOffices(en, 'get married', 'en-US'))[0]).toBe('County Clerk');
    expect(names(searchOffices(en, 'marr', 'en-US'))[0]).toBe('County Clerk');
    expect(names(searchOffices(en, 'property tax', 'en-US'))[0]).toBe('Treasurer & Tax Collector');
    expect(names(searchOffices(en, 'vote', 'en-US'))[0]).toBe('Department of Elections');
  });

  it('finds it in Spanish from Spanish words, accents or not, and from English words too', () => {
    const es = offices('es');
    expect(names(searchOffices(es, 'matrimonio', 'es-US', en))[0]).toBe('Secretario del Condado');
    expect(names(searchOffices(es, 'IMPUESTO predial', 'es-US', en))[0]).toBe('Tesorería y Recaudación de Impuestos');
    expect(names(searchOffices(es, 'informacion', 'es-US', en))[0]).toBe('Mostrador de Información');
    expect(names(searchOffices(es, 'marriage', 'es-US', en))[0]).toBe('Secretario del Condado');
    // Without the English text, an English word finds nothing on a Spanish screen.
    expect(searchOffices(es, 'marriage', 'es-US')).toEqual([]);
  });

  it('finds it in Chinese by substring (no spaces between words) and in Filipino', () => {
    expect(names(searchOffices(offices('zh-Hant'), '結婚', 'zh-Hant', en))[0]).toBe('縣書記官');
    expect(names(searchOffices(offices('zh-Hant'), '房產稅', 'zh-Hant', en))[0]).toBe('財務及稅務局');
    // "Property" alone is both the tax office and the property records: both are found.
    expect(names(searchOffices(offices('zh-Hant'), '房產', 'zh-Hant', en)).sort()).toEqual(['估價及登記處', '財務及稅務局'].sort());
    expect(names(searchOffices(offices('fil'), 'kasal', 'fil-PH', en))[0]).toBe('County Clerk');
  });

  it('needs every word to match, and matches short words only at the start of a word', () => {
    expect(searchOffices(en, 'marriage zebra', 'en-US')).toEqual([]);
    expect(searchOffices(en, 'q', 'en-US')).toEqual([]);
    expect(searchOffices(en, '', 'en-US')).toEqual([]);
    expect(names(searchOffices(en, 'ur', 'en-US'))).not.toContain('Treasurer & Tax Collector');
  });

  it('ranks a name above a description', () => {
    const office = (id: string, name: string, description: string): Office => ({ ...en[0]!, id, name, description, services: [], keywords: [] });
    const hits = searchOffices([office('1', 'Parks', 'Permits for events in the parks'), office('2', 'Permits', 'Building works')], 'permits', 'en-US');
    expect(names(hits)).toEqual(['Permits', 'Parks']);
  });
});

describe('searchEvents and the services index', () => {
  it('finds events by title words in the visitor\'s language', () => {
    expect(searchEvents(events('es'), 'matrimonio', 'es-US').map((hit) => hit.item.title)).toEqual(['Ceremonias de matrimonio civil']);
  });

  it('lists every office\'s services in the language\'s alphabetical order, filed by letter', () => {
    const index = servicesIndex(offices('es'), 'es-US');
    const services = index.map((entry) => entry.service);
    expect(services).toEqual([...services].sort(new Intl.Collator('es-US', { sensitivity: 'base' }).compare));
    expect(index.find((entry) => entry.service === 'Licencias de matrimonio')?.office.name).toBe('Secretario del Condado');
    expect(indexLetter('Ómnibus')).toBe('O');
    expect(indexLetter('結婚證書')).toBe('');
  });
});
