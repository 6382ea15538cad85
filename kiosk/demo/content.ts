// Demo content for the embedded upstream: a city hall's events and offices, in the same
// shape as the reference Django API (integrations/django) serves, in each language the
// kiosk speaks. `?lang=` picks the language; a field without a translation falls back to
// English, field by field, as the Django API does.

export type DemoLanguage = 'en' | 'es' | 'zh-Hant' | 'fil';
type Translated = { en: string } & Partial<Record<Exclude<DemoLanguage, 'en'>, string>>;

export interface FloorPlanItem {
  width: number;
  height: number;
  areas: { x: number; y: number; w: number; h: number; label: string; target?: boolean }[];
  here?: { x: number; y: number };
}

export interface EventItem {
  id: number;
  title: string;
  starts_at: string;
  ends_at: string | null;
  location: string;
  description: string;
  floor: string;
  room: string;
  url: string | null;
}

export interface OfficeItem {
  id: number;
  name: string;
  floor: string;
  room: string;
  hours: string;
  opening_hours: { days: number[]; opens: string; closes: string }[];
  phone: string;
  description: string;
  services: string[];
  keywords: string[];
  url: string;
  information_desk: boolean;
  floor_plan: FloorPlanItem | null;
}

const LANGUAGE_TAGS: Record<string, DemoLanguage> = { en: 'en', es: 'es', 'zh-hant': 'zh-Hant', zh: 'zh-Hant', fil: 'fil', tl: 'fil' };

/** `?lang=` as the demo reads it: case does not matter, a region is ignored ("es-US"), anything else is English. */
export function demoLanguage(value: string | null | undefined): DemoLanguage {
  const tag = (value ?? '').trim().toLowerCase();
  return LANGUAGE_TAGS[tag] ?? LANGUAGE_TAGS[tag.split('-')[0] ?? ''] ?? 'en';
}

function pick(text: Translated, language: DemoLanguage): string {
  return (language === 'en' ? undefined : text[language]) ?? text.en;
}

function pickList(lists: { en: string[] } & Partial<Record<DemoLanguage, string[]>>, language: DemoLanguage): string[] {
  return lists[language] ?? lists.en;
}

const MON_FRI = [1, 2, 3, 4, 5];
const WEEKDAY_HOURS = (opens: string, closes: string) => [{ days: MON_FRI, opens, closes }];

/** Floor 1 around the Rotunda, where the lobby kiosk stands. */
function floorOnePlan(targetRoom: string): FloorPlanItem {
  const areas = [
    { x: 2, y: 2, w: 16, h: 12, label: '190' },
    { x: 20, y: 2, w: 16, h: 12, label: '168' },
    { x: 38, y: 2, w: 16, h: 12, label: '140' },
    { x: 20, y: 16, w: 16, h: 12, label: 'Rotunda' },
    { x: 2, y: 16, w: 16, h: 12, label: '110' },
    { x: 38, y: 16, w: 16, h: 12, label: '101' },
  ];
  return { width: 56, height: 34, areas: areas.map((area) => ({ ...area, target: area.label === targetRoom })), here: { x: 28, y: 31 } };
}

interface DemoEvent {
  day: number;
  start: [number, number];
  end: [number, number] | null;
  title: Translated;
  location: Translated;
  description: Translated;
  floor: string;
  room: string;
}

const EVENTS: DemoEvent[] = [
  {
    day: 0, start: [14, 0], end: [17, 0], floor: '2', room: '250',
    title: { en: 'City Council Regular Meeting', es: 'Sesión ordinaria del Concejo Municipal', 'zh-Hant': '市議會例會', fil: 'Regular na Pulong ng Konseho ng Lungsod' },
    location: { en: 'Council Chamber, Room 250', es: 'Sala del Concejo, sala 250', 'zh-Hant': '議會廳，250室', fil: 'Council Chamber, Silid 250' },
    description: {
      en: 'Open to the public. Public comment sign-up closes 15 minutes before the meeting. To comment by phone, call (415) 655-0001 and enter access code 2661 000 1234 ##, then press *3 to be added to the queue.',
      es: 'Abierta al público. La inscripción para comentarios públicos cierra 15 minutos antes de la sesión. Para comentar por teléfono, llame al (415) 655-0001, marque el código de acceso 2661 000 1234 ## y luego *3 para entrar en la fila.',
      'zh-Hant': '對公眾開放。公眾意見登記於會議開始前15分鐘截止。如需電話發言，請致電 (415) 655-0001，輸入接入碼 2661 000 1234 ##，然後按 *3 排隊。',
      fil: 'Bukas sa publiko. Nagsasara ang pagpapalista para sa pampublikong komento 15 minuto bago ang pulong. Para magkomento sa telepono, tumawag sa (415) 655-0001, ilagay ang access code na 2661 000 1234 ##, at pindutin ang *3 para mapasama sa pila.',
    },
  },
  {
    day: 0, start: [9, 30], end: [12, 0], floor: '1', room: '168',
    title: { en: 'Free Notary Hours', es: 'Horario de notaría gratuito', 'zh-Hant': '免費公證服務時間', fil: 'Libreng Oras ng Notaryo' },
    location: { en: "Clerk's Office, Room 168", es: 'Oficina del Secretario, sala 168', 'zh-Hant': '書記官辦公室，168室', fil: 'Opisina ng Clerk, Silid 168' },
    description: {
      en: 'Bring a valid photo ID. First come, first served.',
      es: 'Traiga una identificación con foto vigente. Se atiende por orden de llegada.',
      'zh-Hant': '請攜帶有效的附照片身分證件。先到先得。',
      fil: 'Magdala ng balidong ID na may larawan. Uunahin ang mga unang dumating.',
    },
  },
  {
    day: 0, start: [12, 15], end: [13, 0], floor: '1', room: 'Rotunda',
    title: { en: 'Lunchtime Chamber Music', es: 'Música de cámara al mediodía', 'zh-Hant': '午間室內樂', fil: 'Chamber Music sa Tanghalian' },
    location: { en: 'Rotunda, Ground Floor', es: 'Rotonda, planta baja', 'zh-Hant': '圓形大廳，地面層', fil: 'Rotunda, Unang Palapag' },
    description: {
      en: 'A string quartet from the Conservatory plays Haydn and Florence Price.',
      es: 'Un cuarteto de cuerdas del Conservatorio interpreta a Haydn y Florence Price.',
      'zh-Hant': '音樂學院弦樂四重奏演奏海頓和弗洛倫斯·普萊斯的作品。',
      fil: 'Tutugtog ang isang string quartet mula sa Conservatory ng Haydn at Florence Price.',
    },
  },
  {
    day: 1, start: [10, 0], end: [15, 0], floor: '1', room: '110',
    title: { en: 'Small Business Permit Clinic', es: 'Asesoría de permisos para pequeñas empresas', 'zh-Hant': '小型企業許可證諮詢', fil: 'Klinika sa Permit ng Maliit na Negosyo' },
    location: { en: 'Room 110', es: 'Sala 110', 'zh-Hant': '110室', fil: 'Silid 110' },
    description: {
      en: 'One-on-one help with business registration, signage and health permits.',
      es: 'Ayuda personalizada con el registro de empresas, los letreros y los permisos de salud.',
      'zh-Hant': '一對一協助辦理商業登記、招牌和衛生許可證。',
      fil: 'Personal na tulong sa pagpaparehistro ng negosyo, karatula at mga permit sa kalusugan.',
    },
  },
  {
    day: 2, start: [9, 0], end: [16, 0], floor: 'G', room: '48',
    title: { en: 'Voter Registration Drive', es: 'Jornada de registro de votantes', 'zh-Hant': '選民登記活動', fil: 'Kampanya sa Pagpaparehistro ng Botante' },
    location: { en: 'Polk Street Lobby', es: 'Vestíbulo de la calle Polk', 'zh-Hant': 'Polk 街大堂', fil: 'Lobby sa Polk Street' },
    description: {
      en: 'Register, update your address or request a mail ballot.',
      es: 'Regístrese, actualice su dirección o solicite una boleta por correo.',
      'zh-Hant': '登記投票、更新地址或申請郵寄選票。',
      fil: 'Magparehistro, i-update ang inyong address o humiling ng balota sa koreo.',
    },
  },
  {
    day: 3, start: [13, 0], end: null, floor: '4', room: '400',
    title: { en: 'Planning Commission Hearing', es: 'Audiencia de la Comisión de Planificación', 'zh-Hant': '規劃委員會聽證會', fil: 'Pagdinig ng Planning Commission' },
    location: { en: 'Room 400', es: 'Sala 400', 'zh-Hant': '400室', fil: 'Silid 400' },
    description: {
      en: 'Agenda items include the Market Street streetscape plan. To comment by phone, call (415) 655-0001 and enter access code 2664 000 4000 ##, then press *3 when the item is called. Written comments may be left with the Commission Secretary in Room 400 until noon on the day of the hearing.',
      es: 'El orden del día incluye el plan de paisaje urbano de la calle Market. Para comentar por teléfono, llame al (415) 655-0001, marque el código de acceso 2664 000 4000 ## y luego *3 cuando se anuncie el punto. Puede dejar comentarios por escrito a la Secretaría de la Comisión en la sala 400 hasta el mediodía del día de la audiencia.',
      'zh-Hant': '議程包括市場街街景規劃。如需電話發言，請致電 (415) 655-0001，輸入接入碼 2664 000 4000 ##，並於該議程宣布時按 *3。書面意見可於聽證會當天中午前交至400室委員會秘書處。',
    },
  },
  {
    day: 4, start: [10, 0], end: [16, 0], floor: '2', room: "Mayor's Balcony",
    title: { en: 'Civil Wedding Ceremonies', es: 'Ceremonias de matrimonio civil', 'zh-Hant': '民事婚禮儀式', fil: 'Mga Seremonya ng Kasal Sibil' },
    location: { en: "Mayor's Balcony, 2nd Floor", es: 'Balcón del Alcalde, 2.º piso', 'zh-Hant': '市長露台，2樓', fil: 'Balkonahe ng Alkalde, Ikalawang Palapag' },
    description: {
      en: 'By appointment through the County Clerk.',
      es: 'Con cita previa a través del Secretario del Condado.',
      'zh-Hant': '須透過縣書記官預約。',
      fil: 'Sa pamamagitan ng appointment sa County Clerk.',
    },
  },
];

/** Events around `now`, so the demo always has something on today and this week. */
export function demoEvents(now: Date = new Date(), language: DemoLanguage = 'en'): EventItem[] {
  const at = (dayOffset: number, [hour, minute]: [number, number]) => {
    const date = new Date(now);
    date.setDate(date.getDate() + dayOffset);
    date.setHours(hour, minute, 0, 0);
    return date.toISOString();
  };
  return EVENTS.map((event, index) => ({
    id: index + 1,
    title: pick(event.title, language),
    starts_at: at(event.day, event.start),
    ends_at: event.end === null ? null : at(event.day, event.end),
    location: pick(event.location, language),
    description: pick(event.description, language),
    floor: event.floor,
    room: event.room,
    url: null,
  }));
}

interface DemoOffice {
  name: Translated;
  floor: string;
  room: string;
  hours: string;
  opening_hours: OfficeItem['opening_hours'];
  phone: string;
  description: Translated;
  services: { en: string[] } & Partial<Record<DemoLanguage, string[]>>;
  keywords: { en: string[] } & Partial<Record<DemoLanguage, string[]>>;
  slug: string;
  informationDesk?: boolean;
}

const OFFICES: DemoOffice[] = [
  {
    slug: 'county-clerk', floor: '1', room: '168', hours: 'Mon–Fri 8:00–16:00', opening_hours: WEEKDAY_HOURS('08:00', '16:00'), phone: '(415) 554-4950',
    name: { en: 'County Clerk', es: 'Secretario del Condado', 'zh-Hant': '縣書記官', fil: 'County Clerk' },
    description: {
      en: 'Marriage licences, notary registration, fictitious business names.',
      es: 'Licencias de matrimonio, registro de notarios, nombres comerciales ficticios.',
      'zh-Hant': '結婚證書、公證人登記、虛構商業名稱。',
      fil: 'Lisensya sa kasal, pagpaparehistro ng notaryo, mga pangalan ng negosyo.',
    },
    services: {
      en: ['Marriage licences', 'Civil wedding ceremonies', 'Notary registration', 'Fictitious business names'],
      es: ['Licencias de matrimonio', 'Ceremonias de matrimonio civil', 'Registro de notarios', 'Nombres comerciales ficticios'],
      'zh-Hant': ['結婚證書', '民事婚禮', '公證人登記', '虛構商業名稱'],
      fil: ['Lisensya sa kasal', 'Seremonya ng kasal sibil', 'Pagpaparehistro ng notaryo', 'Pangalan ng negosyo'],
    },
    keywords: {
      en: ['marriage', 'married', 'get married', 'wedding', 'domestic partnership', 'dba'],
      es: ['matrimonio', 'casarse', 'boda', 'pareja de hecho', 'notario'],
      'zh-Hant': ['結婚', '婚姻', '婚禮', '同居伴侶', '公證'],
      fil: ['kasal', 'pagpapakasal', 'magpakasal', 'notaryo'],
    },
  },
  {
    slug: 'mayor', floor: '2', room: '200', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 554-6141',
    name: { en: 'Office of the Mayor', es: 'Oficina del Alcalde', 'zh-Hant': '市長辦公室', fil: 'Opisina ng Alkalde' },
    description: {
      en: "Constituent services and the Mayor's staff.",
      es: 'Atención a los residentes y el personal del Alcalde.',
      'zh-Hant': '市民服務及市長辦公室職員。',
      fil: 'Serbisyo para sa mga residente at mga kawani ng Alkalde.',
    },
    services: { en: ['Constituent services'], es: ['Atención a los residentes'], 'zh-Hant': ['市民服務'], fil: ['Serbisyo sa mga residente'] },
    keywords: { en: ['mayor', 'complaint'], es: ['alcalde', 'queja'], 'zh-Hant': ['市長', '投訴'], fil: ['alkalde', 'reklamo'] },
  },
  {
    slug: 'board-of-supervisors', floor: '2', room: '244', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 554-5184',
    name: { en: 'Board of Supervisors', es: 'Junta de Supervisores', 'zh-Hant': '市參事委員會', fil: 'Lupon ng mga Superbisor' },
    description: {
      en: 'Legislation, hearings and public records of the Board.',
      es: 'Legislación, audiencias y registros públicos de la Junta.',
      'zh-Hant': '委員會的立法、聽證會和公共記錄。',
      fil: 'Batas, mga pagdinig at pampublikong rekord ng Lupon.',
    },
    services: { en: ['Public comment', 'Board records'], es: ['Comentarios públicos', 'Registros de la Junta'], 'zh-Hant': ['公眾意見', '委員會記錄'], fil: ['Pampublikong komento', 'Mga rekord ng Lupon'] },
    keywords: { en: ['supervisor', 'hearing', 'legislation'], es: ['supervisor', 'audiencia', 'legislación'], 'zh-Hant': ['參事', '聽證', '立法'], fil: ['superbisor', 'pagdinig', 'batas'] },
  },
  {
    slug: 'elections', floor: 'G', room: '48', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 554-4375',
    name: { en: 'Department of Elections', es: 'Departamento de Elecciones', 'zh-Hant': '選務處', fil: 'Departamento ng Halalan' },
    description: {
      en: 'Voter registration, ballots, poll worker sign-up.',
      es: 'Registro de votantes, boletas, inscripción de trabajadores electorales.',
      'zh-Hant': '選民登記、選票、選務人員報名。',
      fil: 'Pagpaparehistro ng botante, mga balota, pag-sign up bilang poll worker.',
    },
    services: {
      en: ['Voter registration', 'Vote by mail', 'Poll worker sign-up'],
      es: ['Registro de votantes', 'Votar por correo', 'Inscripción de trabajadores electorales'],
      'zh-Hant': ['選民登記', '郵寄投票', '選務人員報名'],
      fil: ['Pagpaparehistro ng botante', 'Pagboto sa koreo', 'Pag-sign up bilang poll worker'],
    },
    keywords: {
      en: ['vote', 'voting', 'election', 'ballot', 'register to vote'],
      es: ['votar', 'voto', 'elecciones', 'boleta'],
      'zh-Hant': ['投票', '選舉', '選票'],
      fil: ['boto', 'bumoto', 'pagboto', 'halalan', 'balota'],
    },
  },
  {
    slug: 'treasurer-tax-collector', floor: '1', room: '140', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 701-2311',
    name: { en: 'Treasurer & Tax Collector', es: 'Tesorería y Recaudación de Impuestos', 'zh-Hant': '財務及稅務局', fil: 'Ingat-Yaman at Kolektor ng Buwis' },
    description: {
      en: 'Property tax payments and business registration.',
      es: 'Pago del impuesto predial y registro de empresas.',
      'zh-Hant': '繳納房產稅及商業登記。',
      fil: 'Pagbabayad ng buwis sa ari-arian at pagpaparehistro ng negosyo.',
    },
    services: {
      en: ['Property tax payments', 'Business registration'],
      es: ['Pago del impuesto predial', 'Registro de empresas'],
      'zh-Hant': ['繳納房產稅', '商業登記'],
      fil: ['Pagbabayad ng buwis sa ari-arian', 'Pagpaparehistro ng negosyo'],
    },
    keywords: {
      en: ['property tax', 'pay tax', 'taxes', 'business license'],
      es: ['impuesto predial', 'impuesto sobre la propiedad', 'pagar impuestos', 'licencia comercial'],
      'zh-Hant': ['房產稅', '物業稅', '繳稅', '營業執照'],
      fil: ['buwis', 'buwis sa ari-arian', 'magbayad ng buwis', 'lisensya ng negosyo'],
    },
  },
  {
    slug: 'assessor-recorder', floor: '1', room: '190', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 554-5596',
    name: { en: 'Assessor-Recorder', es: 'Tasador y Registrador', 'zh-Hant': '估價及登記處', fil: 'Assessor-Recorder' },
    description: {
      en: 'Property records, deeds and assessments.',
      es: 'Registros de propiedad, escrituras y tasaciones.',
      'zh-Hant': '房產記錄、契據和估價。',
      fil: 'Mga rekord ng ari-arian, titulo at pagtatasa.',
    },
    services: { en: ['Deeds and property records', 'Property assessments'], es: ['Escrituras y registros de propiedad', 'Tasaciones'], 'zh-Hant': ['契據及房產記錄', '房產估價'], fil: ['Titulo at rekord ng ari-arian', 'Pagtatasa ng ari-arian'] },
    keywords: { en: ['deed', 'birth certificate', 'records'], es: ['escritura', 'acta de nacimiento', 'registros'], 'zh-Hant': ['契據', '出生證明', '記錄'], fil: ['titulo', 'birth certificate', 'rekord'] },
  },
  {
    slug: 'city-attorney', floor: '2', room: '234', hours: 'Mon–Fri 8:00–17:00', opening_hours: WEEKDAY_HOURS('08:00', '17:00'), phone: '(415) 554-4700',
    name: { en: 'City Attorney', es: 'Fiscalía de la Ciudad', 'zh-Hant': '市檢察官辦公室', fil: 'Abogado ng Lungsod' },
    description: {
      en: 'Legal counsel to the City; consumer protection.',
      es: 'Asesoría jurídica de la Ciudad; protección al consumidor.',
      'zh-Hant': '市政府法律顧問；消費者保護。',
      fil: 'Legal na payo sa Lungsod; proteksyon ng mamimili.',
    },
    services: { en: ['Consumer protection'], es: ['Protección al consumidor'], 'zh-Hant': ['消費者保護'], fil: ['Proteksyon ng mamimili'] },
    keywords: { en: ['lawyer', 'legal', 'scam'], es: ['abogado', 'legal', 'estafa'], 'zh-Hant': ['律師', '法律', '詐騙'], fil: ['abogado', 'legal', 'scam'] },
  },
  {
    slug: 'information-desk', floor: '1', room: 'Rotunda', hours: 'Mon–Fri 8:00–20:00', opening_hours: WEEKDAY_HOURS('08:00', '20:00'), phone: '(415) 554-4000', informationDesk: true,
    name: { en: 'Information Desk', es: 'Mostrador de Información', 'zh-Hant': '服務台', fil: 'Information Desk' },
    description: {
      en: 'Directions, accessibility services and lost & found.',
      es: 'Indicaciones, servicios de accesibilidad y objetos perdidos.',
      'zh-Hant': '指路、無障礙服務及失物招領。',
      fil: 'Direksyon, mga serbisyo sa accessibility at lost & found.',
    },
    services: { en: ['Directions', 'Lost and found', 'Wheelchair loan'], es: ['Indicaciones', 'Objetos perdidos', 'Préstamo de sillas de ruedas'], 'zh-Hant': ['指路', '失物招領', '輪椅借用'], fil: ['Direksyon', 'Lost and found', 'Paghiram ng wheelchair'] },
    keywords: { en: ['help', 'information', 'lost'], es: ['ayuda', 'información', 'perdido'], 'zh-Hant': ['幫助', '資訊', '遺失'], fil: ['tulong', 'impormasyon', 'nawala'] },
  },
];

/** The link each office's QR code carries. */
export function demoOfficeUrl(slug: string): string {
  return `https://cityhall.example.org/offices/${slug}`;
}

export function demoOfficesIn(language: DemoLanguage): OfficeItem[] {
  return OFFICES.map((office, index) => ({
    id: index + 1,
    name: pick(office.name, language),
    floor: office.floor,
    room: office.room,
    hours: office.hours,
    opening_hours: office.opening_hours,
    phone: office.phone,
    description: pick(office.description, language),
    services: pickList(office.services, language),
    keywords: pickList(office.keywords, language),
    url: demoOfficeUrl(office.slug),
    information_desk: office.informationDesk === true,
    floor_plan: office.floor === '1' ? floorOnePlan(office.room) : null,
  }));
}

/** The offices in English (what the demo served before it spoke other languages). */
export const demoOffices: OfficeItem[] = demoOfficesIn('en');
