from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "City hall content"
    default_auto_field = "django.db.models.BigAutoField"
