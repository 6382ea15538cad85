from django.db import models


class Event(models.Model):
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "title"]

    def __str__(self):
        return self.title


class Office(models.Model):
    name = models.CharField(max_length=200)
    floor = models.CharField(max_length=32, help_text="As shown to visitors, e.g. 'Ground floor' or '2'.")
    room = models.CharField(max_length=32, blank=True)
    hours = models.CharField(max_length=200, blank=True, help_text="Opening hours, e.g. 'Mon–Fri 8:00–16:00'.")
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
