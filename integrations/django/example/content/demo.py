"""Demo content of a city hall, used by the data migration and by ``manage.py seed_demo``.

Takes the model classes as arguments so the migration can pass its historical models.
Event dates are relative to ``now``, so a fresh database always has upcoming events.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

# (days from today, start time, duration in hours or None, title, location, description)
EVENTS = [
    (0, time(18, 0), 2.5, "City Council meeting", "Council Chamber, 2nd floor",
     "Public session of the City Council. Agenda: the 2025 budget and the new cycle lanes on Market Street. Visitors welcome."),
    (1, time(10, 0), 2, "Recycling and repair café", "Community Room 0.20, ground floor",
     "Bring a broken toaster, lamp or bicycle; volunteers help you repair it. Free of charge."),
    (3, time(9, 0), 6, "Blood donation drive", "Main Hall",
     "The Red Cross collects blood donations. Please bring an ID card. Snacks provided."),
    (7, time(17, 30), 2, "Public hearing: tram line 4 extension", "Council Chamber, 2nd floor",
     "The planning department presents the route and answers questions from residents."),
    (10, time(11, 0), 1, "Citizenship ceremony", "Ceremony Hall, 1st floor",
     "New citizens receive their certificates from the Mayor. Family and friends are welcome."),
    (14, time(10, 0), 30, "Open house: City Archives", "City Archives, basement",
     "Guided tours every hour through 700 years of city history. Saturday and Sunday."),
    (21, time(19, 0), None, "Summer concert in the courtyard", "Inner courtyard",
     "The municipal brass band plays. In case of rain the concert moves to the Main Hall."),
]

# (name, floor, room, hours, phone, description)
OFFICES = [
    ("Citizens' Service Centre", "Ground floor", "0.12", "Mon–Fri 8:00–18:00, Sat 9:00–12:00", "+1 555 0100",
     "First stop for most requests: registration of address, certificates, parking permits. Take a number at the entrance."),
    ("Passports and ID cards", "Ground floor", "0.15", "Mon–Fri 8:00–16:00", "+1 555 0101",
     "Applications and collection of passports and ID cards. Bring a recent biometric photo."),
    ("Lost and found", "Ground floor", "0.03", "Mon–Fri 9:00–12:00", "+1 555 0102",
     "Items found in public buildings, buses and trams are kept here for six months."),
    ("Registry Office", "1st floor", "1.04", "Mon–Thu 8:00–15:00, Fri 8:00–12:00", "+1 555 0110",
     "Births, marriages and deaths. Weddings by appointment in the Ceremony Hall."),
    ("Social Services", "1st floor", "1.10", "Mon, Wed, Fri 8:30–12:30", "+1 555 0111",
     "Housing benefit, help for families and seniors. Appointments recommended."),
    ("Tax Office", "2nd floor", "2.05", "Mon–Fri 8:00–12:00, Thu also 14:00–18:00", "+1 555 0120",
     "Property tax, dog licences and business tax."),
    ("Building Permits", "2nd floor", "2.21", "Tue and Thu 9:00–12:00", "+1 555 0121",
     "Planning permission, building inspections and zoning information."),
    ("Mayor's Office", "3rd floor", "3.01", "By appointment", "+1 555 0130",
     "Office of the Mayor and the city secretariat."),
]


def create_demo_data(Event, Office, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    for days, start, hours, title, location, description in EVENTS:
        starts_at = timezone.make_aware(datetime.combine(today + timedelta(days=days), start))
        ends_at = starts_at + timedelta(hours=hours) if hours else None
        Event.objects.create(title=title, starts_at=starts_at, ends_at=ends_at, location=location, description=description)
    for name, floor, room, hours, phone, description in OFFICES:
        Office.objects.create(name=name, floor=floor, room=room, hours=hours, phone=phone, description=description)
