// Every word the kiosk itself says, in English: the base every other catalogue
// (catalogues/*.json, same components and keys) translates, and what shows wherever a
// translation is missing. {name} marks a value filled in at run time; keep it as is.
import { params } from '@nanostores/i18n';
import { i18n, plural } from './i18n.ts';

export const commonMessages = i18n('common', {
  cityHall: 'City Hall',
  home: 'Home',
  events: 'Events',
  offices: 'Offices',
  search: 'Search',
  back: 'Back',
  sections: 'Sections',
  accessibility: 'Accessibility',
  /** Shown next to content that is not a live answer. */
  notCurrent: 'Information may not be up to date',
  asOf: params('As of {time}'),
});

export const homeMessages = i18n('home', {
  welcome: 'Welcome to City Hall',
  intro: 'Find today’s public meetings and events, and the office you are looking for.',
  today: 'Today at City Hall',
  noMoreToday: 'No more events today.',
  comingUp: 'Coming up',
  explore: 'Explore',
  eventsHint: 'Meetings and events, today and this week',
  officesHint: 'Find a department, its floor and room',
  searchTitle: 'Find a service',
  searchHint: 'Search by what you need: marriage, property tax, vote…',
});

export const eventsMessages = i18n('events', {
  lede: 'Public meetings, services and events at City Hall, today and in the days ahead.',
  empty: 'There are no upcoming events listed right now.',
  happeningNow: 'Happening now',
  until: params('until {time}'),
});

export const officesMessages = i18n('offices', {
  lede: 'Departments in this building, with their floor, room and opening hours.',
  all: 'All',
  showOnFloor: 'Show offices on floor',
  empty: 'No offices are listed right now.',
  groundFloor: 'Ground floor',
  floorNumber: params('Floor {floor}'),
  roomNumber: params('Room {room}'),
});

export const searchMessages = i18n('search', {
  title: 'Find a service',
  lede: 'Type what you need, or choose a service from the list.',
  label: 'What do you need?',
  placeholder: 'For example: marriage, property tax, vote',
  results: plural({ one: '{count} result', other: '{count} results' }),
  nothing: 'Nothing found. Try another word, or choose a service from the list.',
  services: 'Services A–Z',
  officesHeading: 'Offices',
  eventsHeading: 'Events',
  keyboard: 'On-screen keyboard',
  space: 'Space',
  delete: 'Delete',
  clear: 'Clear',
});

export const detailMessages = i18n('detail', {
  where: 'Where',
  when: 'When',
  hours: 'Opening hours',
  phone: 'Phone',
  services: 'Services',
  floorPlan: 'Floor plan',
  floorPlanOf: params('Floor plan: {place} is highlighted'),
  youAreHere: 'You are here',
  scanLink: 'Scan with your phone to open this page.',
  scanText: 'Scan with your phone to take these details with you.',
});

export const settingsMessages = i18n('settings', {
  title: 'Accessibility',
  textSize: 'Text size',
  standard: 'Standard',
  large: 'Large',
  largest: 'Largest',
  highContrast: 'High contrast',
  done: 'Done',
});

export const idleMessages = i18n('idle', {
  title: 'Still there?',
  body: plural({
    one: 'This screen goes back to the start in {count} second, and your choices will be cleared.',
    other: 'This screen goes back to the start in {count} seconds, and your choices will be cleared.',
  }),
  stay: 'I’m still here',
});

export const statusMessages = i18n('status', {
  loading: 'Loading today’s information…',
  offlineTitle: 'We’ll be right back',
  network: 'This screen is reconnecting to its information service. It will be back in a moment.',
  api: 'City Hall information is temporarily unavailable. This screen will update as soon as the service is back.',
  auth: 'This screen is waiting for permission to show City Hall information.',
  help: params('If this message stays for more than a few minutes, please let {desk} know.'),
  deskDefault: 'the information desk at the main entrance',
  deskAt: params('the information desk ({where})'),
  retrying: params('Trying again in {seconds} s'),
  retryingNow: 'Trying again now…',
  kiosk: params('Kiosk {id}'),
});

export const announcementMessages = i18n('announcement', {
  urgent: 'Important',
  info: 'Notice',
  dismiss: 'Dismiss',
});

export { applyLanguage, catalogue, locale, preloadLanguages } from './i18n.ts';
