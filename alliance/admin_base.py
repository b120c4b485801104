"""What every curated model's admin shares."""

from django.contrib import admin
from django.db import router, transaction

from alliance.search.index import reindex_once


class CuratedAdmin(admin.ModelAdmin):
    """An admin whose writes (a record with its inlines, a delete, a bulk action or list edit)
    reach the search index once per request, inside the request's transaction."""

    def _once(self, view, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(self.model)), reindex_once():
            return view(*args, **kwargs)

    def changeform_view(self, *args, **kwargs):
        return self._once(super().changeform_view, *args, **kwargs)

    def delete_view(self, *args, **kwargs):
        return self._once(super().delete_view, *args, **kwargs)

    def changelist_view(self, *args, **kwargs):
        return self._once(super().changelist_view, *args, **kwargs)
