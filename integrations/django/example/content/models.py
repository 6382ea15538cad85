from django.db import models

from .translation import translations


class Event(models.Model):
    title = models.CharField("title (English)", max_length=200)
    title_es, title_zh_hant, title_fil = translations(models.CharField, "title", max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField("location (English)", max_length=200, blank=True)
    location_es, location_zh_hant, location_fil = translations(models.CharField, "location", max_length=200)
    floor = models.CharField(max_length=32, blank=True, help_text="Where it is, for the kiosk's detail view, e.g. '2'.")
    room = models.CharField(max_length=32, blank=True)
    description = models.TextField("description (English)", blank=True)
    description_es, description_zh_hant, description_fil = translations(models.TextField, "description")
    url = models.URLField(blank=True, help_text="A page about the event; the kiosk shows it as a QR code.")

    class Meta:
        ordering = ["starts_at", "title"]

    def __str__(self):
        return self.title


class Office(models.Model):
    name = models.CharField("name (English)", max_length=200)
    name_es, name_zh_hant, name_fil = translations(models.CharField, "name", max_length=200)
    floor = models.CharField(max_length=32, help_text="As shown to visitors, e.g. 'Ground floor' or '2'.")
    room = models.CharField(max_length=32, blank=True)
    hours = models.CharField("hours (English)", max_length=200, blank=True, help_text="Opening hours, e.g. 'Mon–Fri 8:00–16:00'.")
    hours_es, hours_zh_hant, hours_fil = translations(models.CharField, "hours", max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField("description (English)", blank=True)
    description_es, description_zh_hant, description_fil = translations(models.TextField, "description")
    services = models.TextField("services (English)", blank=True, help_text="What visitors can do here, one per line; listed A–Z on the kiosk.")
    services_es, services_zh_hant, services_fil = translations(models.TextField, "services")
    keywords = models.TextField("keywords (English)", blank=True, help_text="More words visitors may search for (not shown), e.g. 'marriage, wedding'.")
    keywords_es, keywords_zh_hant, keywords_fil = translations(models.TextField, "keywords")
    url = models.URLField(blank=True, help_text="The office's web page; the kiosk shows it as a QR code.")
    is_information_desk = models.BooleanField(
        default=False, help_text="The desk visitors are sent to when a kiosk cannot show its information."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
