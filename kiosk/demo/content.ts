// Demo content for the embedded upstream: a city hall's events and offices, in the same
// shape as the reference Django API (integrations/django) serves.

export interface EventItem {
  id: number;
  title: string;
  starts_at: string;
  ends_at: string | null;
  location: string;
  description: string;
}

export interface OfficeItem {
  id: number;
  name: string;
  floor: string;
  room: string;
  hours: string;
  phone: string;
  description: string;
}

/** Events around `now`, so the demo always has something on today and this week. */
export function demoEvents(now: Date = new Date()): EventItem[] {
  const at = (dayOffset: number, hour: number, minute = 0) => {
    const date = new Date(now);
    date.setDate(date.getDate() + dayOffset);
    date.setHours(hour, minute, 0, 0);
    return date.toISOString();
  };
  return [
    { id: 1, title: 'City Council Regular Meeting', starts_at: at(0, 14), ends_at: at(0, 17), location: 'Council Chamber, Room 250', description: 'Open to the public. Public comment sign-up closes 15 minutes before the meeting.' },
    { id: 2, title: 'Free Notary Hours', starts_at: at(0, 9, 30), ends_at: at(0, 12), location: 'Clerk\'s Office, Room 168', description: 'Bring a valid photo ID. First come, first served.' },
    { id: 3, title: 'Lunchtime Chamber Music', starts_at: at(0, 12, 15), ends_at: at(0, 13), location: 'Rotunda, Ground Floor', description: 'A string quartet from the Conservatory plays Haydn and Florence Price.' },
    { id: 4, title: 'Small Business Permit Clinic', starts_at: at(1, 10), ends_at: at(1, 15), location: 'Room 110', description: 'One-on-one help with business registration, signage and health permits.' },
    { id: 5, title: 'Voter Registration Drive', starts_at: at(2, 9), ends_at: at(2, 16), location: 'Polk Street Lobby', description: 'Register, update your address or request a mail ballot.' },
    { id: 6, title: 'Planning Commission Hearing', starts_at: at(3, 13), ends_at: null, location: 'Room 400', description: 'Agenda items include the Market Street streetscape plan.' },
    { id: 7, title: 'Civil Wedding Ceremonies', starts_at: at(4, 10), ends_at: at(4, 16), location: 'Mayor\'s Balcony, 2nd Floor', description: 'By appointment through the County Clerk.' },
  ];
}

export const demoOffices: OfficeItem[] = [
  { id: 1, name: 'County Clerk', floor: '1', room: '168', hours: 'Mon–Fri 8:00–16:00', phone: '(415) 554-4950', description: 'Marriage licences, notary registration, fictitious business names.' },
  { id: 2, name: 'Office of the Mayor', floor: '2', room: '200', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 554-6141', description: 'Constituent services and the Mayor\'s staff.' },
  { id: 3, name: 'Board of Supervisors', floor: '2', room: '244', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 554-5184', description: 'Legislation, hearings and public records of the Board.' },
  { id: 4, name: 'Department of Elections', floor: 'G', room: '48', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 554-4375', description: 'Voter registration, ballots, poll worker sign-up.' },
  { id: 5, name: 'Treasurer & Tax Collector', floor: '1', room: '140', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 701-2311', description: 'Property tax payments and business registration.' },
  { id: 6, name: 'Assessor-Recorder', floor: '1', room: '190', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 554-5596', description: 'Property records, deeds and assessments.' },
  { id: 7, name: 'City Attorney', floor: '2', room: '234', hours: 'Mon–Fri 8:00–17:00', phone: '(415) 554-4700', description: 'Legal counsel to the City; consumer protection.' },
  { id: 8, name: 'Information Desk', floor: '1', room: 'Rotunda', hours: 'Mon–Fri 8:00–20:00', phone: '(415) 554-4000', description: 'Directions, accessibility services and lost & found.' },
];
