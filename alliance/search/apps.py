from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search index is derived data: its own app, so that dumps of the curated apps leave it out."""

    name = "alliance.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliance.search import checks  # noqa: F401 (registers them)
        from alliance.history import CURATED_APPS
        from alliance.search.index import follow_every_write

        follow_every_write(CURATED_APPS)
