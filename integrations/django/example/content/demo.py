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


# Translations of the demo content, by the English text they translate: (es, zh-hant, fil).
# Fields not listed here show in English on the kiosk, as any blank translation does.
OFFICE_TRANSLATIONS = {
    "Citizens' Service Centre": {
        "name": ("Centro de Atención Ciudadana", "市民服務中心", "Sentro ng Serbisyo sa Mamamayan"),
        "description": (
            "Primera parada para la mayoría de los trámites: empadronamiento, certificados, permisos de estacionamiento. Tome un número en la entrada.",
            "大多數申請的第一站：地址登記、證明文件、停車許可證。請在入口處取號。",
            "Unang hintuan para sa karamihan ng kahilingan: pagpaparehistro ng address, mga sertipiko, permit sa paradahan. Kumuha ng numero sa pasukan.",
        ),
        "services": ("Certificados\nPermisos de estacionamiento", "證明文件\n停車許可證", "Mga sertipiko\nPermit sa paradahan"),
        "keywords": ("ayuda, información, empadronamiento", "幫助, 資訊, 地址登記", "tulong, impormasyon, address"),
    },
    "Registry Office": {
        "name": ("Registro Civil", "登記處", "Tanggapan ng Rehistro"),
        "description": (
            "Nacimientos, matrimonios y defunciones. Bodas con cita previa en la Sala de Ceremonias.",
            "出生、結婚及死亡登記。婚禮須預約，於典禮廳舉行。",
            "Kapanganakan, kasal at kamatayan. Kasal sa Ceremony Hall sa pamamagitan ng appointment.",
        ),
        "services": ("Licencias de matrimonio\nActas de nacimiento", "結婚證書\n出生證明", "Lisensya sa kasal\nSertipiko ng kapanganakan"),
        "keywords": ("matrimonio, casarse, boda, acta de nacimiento", "結婚, 婚姻, 婚禮, 出生證明", "kasal, pagpapakasal, birth certificate"),
    },
    "Tax Office": {
        "name": ("Oficina de Impuestos", "稅務處", "Tanggapan ng Buwis"),
        "description": (
            "Impuesto predial, licencias para perros e impuesto sobre actividades económicas.",
            "房產稅、狗牌照及營業稅。",
            "Buwis sa ari-arian, lisensya ng aso at buwis sa negosyo.",
        ),
        "services": ("Pago del impuesto predial", "繳納房產稅", "Pagbabayad ng buwis sa ari-arian"),
        "keywords": ("impuesto predial, impuestos, pagar", "房產稅, 繳稅", "buwis, buwis sa ari-arian, magbayad"),
    },
    "Passports and ID cards": {
        "name": ("Pasaportes y documentos de identidad", "護照及身分證", "Pasaporte at ID"),
    },
    "Lost and found": {"name": ("Objetos perdidos", "失物招領", "Lost and found")},
    "Social Services": {"name": ("Servicios Sociales", "社會服務", "Serbisyong Panlipunan")},
    "Building Permits": {"name": ("Permisos de construcción", "建築許可", "Mga Permit sa Pagtatayo")},
    "Mayor's Office": {"name": ("Oficina del Alcalde", "市長辦公室", "Opisina ng Alkalde")},
}

OFFICE_EXTRAS = {
    "Citizens' Service Centre": {"services": "Certificates\nParking permits", "keywords": "help, information, address registration", "is_information_desk": True},
    "Registry Office": {"services": "Marriage licences\nBirth certificates", "keywords": "marriage, married, wedding, birth certificate"},
    "Tax Office": {"services": "Property tax payments\nDog licences", "keywords": "property tax, taxes, pay tax"},
    "Building Permits": {"services": "Planning permission\nBuilding inspections", "keywords": "permit, construction, zoning"},
}

EVENT_TRANSLATIONS = {
    "City Council meeting": ("Sesión del Concejo Municipal", "市議會會議", "Pulong ng Konseho ng Lungsod"),
    "Recycling and repair café": ("Café de reciclaje y reparación", "回收及維修咖啡館", "Recycling at repair café"),
    "Blood donation drive": ("Campaña de donación de sangre", "捐血活動", "Kampanya sa pagbibigay ng dugo"),
    "Public hearing: tram line 4 extension": ("Audiencia pública: ampliación de la línea 4 del tranvía", "公聽會：4號電車線延長", "Pampublikong pagdinig: pagpapahaba ng tram line 4"),
    "Citizenship ceremony": ("Ceremonia de ciudadanía", "入籍儀式", "Seremonya ng pagkamamamayan"),
    "Open house: City Archives": ("Puertas abiertas: Archivo Municipal", "開放日：市檔案館", "Open house: City Archives"),
    "Summer concert in the courtyard": ("Concierto de verano en el patio", "庭院夏季音樂會", "Konsiyerto sa tag-araw sa looban"),
}


def translate_demo_data(Event, Office):
    """Fills the translations (and services, keywords) of demo rows still as the demo made them."""
    languages = ("es", "zh_hant", "fil")
    for office in Office.objects.all():
        changed = False
        for field, value in OFFICE_EXTRAS.get(office.name, {}).items():
            if not getattr(office, field):
                setattr(office, field, value)
                changed = True
        for field, texts in OFFICE_TRANSLATIONS.get(office.name, {}).items():
            for language, text in zip(languages, texts):
                name = "%s_%s" % (field, language)
                if not getattr(office, name):
                    setattr(office, name, text)
                    changed = True
        if changed:
            office.save()
    for event in Event.objects.all():
        texts = EVENT_TRANSLATIONS.get(event.title)
        if texts is None:
            continue
        for language, text in zip(languages, texts):
            name = "title_%s" % language
            if not getattr(event, name):
                setattr(event, name, text)
        event.save()
