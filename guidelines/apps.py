from django.apps import AppConfig


class GuidelinesConfig(AppConfig):
    name = "guidelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from guidelines import searchables  # noqa: F401  registers the search documents and their writes
