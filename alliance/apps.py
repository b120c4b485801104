from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliance import idlists  # noqa: F401  registers the `__any` lookup
        from alliance import searchables  # noqa: F401  registers the search documents and their writes
