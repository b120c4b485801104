import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from alliance.curated import FIXTURES
from alliance.history import record_loaded, versioned_models


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the curated data; each test rolls its own changes back."""
    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURES, verbosity=0)
        record_loaded(versioned_models())  # as load_curated does: every record's first version


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, whatever the request before it was in."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with no throttle counts left by the ones before it."""
    cache.clear()
    yield
    cache.clear()
