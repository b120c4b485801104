"""The meeting filters, shared by the HTML search page, the API, the calendar and the feed.

Every filter is answered by the search function: this FilterSet validates the parameters (a 400
naming the parameter for anything it cannot read) and its `qs` is the lazy `SearchResults` of
`alliance.search.service.search`, which Django's and DRF's paginators slice.
"""

import django_filters
from django import forms
from django.utils.translation import gettext as _

from alliance import lookups
from alliance.lookups import cleaner
from alliance.search.service import search
from meetings.models import Meeting, Outcome, sees_drafts

ORDERINGS = {"relevance": "relevance", "-date": "newest", "date": "oldest", "newest": "newest", "oldest": "oldest"}


class MeetingFilterForm(forms.Form):
    clean_body = cleaner(lookups.body_abbreviation)
    clean_person = cleaner(lookups.person_slug)
    clean_topic = cleaner(lookups.topic_slug)
    clean_place = cleaner(lookups.place_slug)

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("date_after"), cleaned.get("date_before")
        if after and before and after > before:
            self.add_error("date_before", _("date_before is earlier than date_after"))
        return cleaned


def unfiltered(queryset, name, value):
    return queryset  # the search function applies it


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=unfiltered, help_text="Words, \"phrases\", -excluded (or NOT), OR, AND, Sen* for words that start so; "
                                                                "Japanese or English, any kana, width or word form.")
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, method=unfiltered)
    body = django_filters.CharFilter(method=unfiltered, help_text="Abbreviation of a consultation body: SCC, SSC, SDC, JC.")
    person = django_filters.CharFilter(method=unfiltered, help_text="A person's slug, or name in Japanese or English.")
    topic = django_filters.CharFilter(method=unfiltered, help_text="A topic's slug, e.g. senkaku-islands (see /api/v1/topics/).")
    place = django_filters.CharFilter(method=unfiltered, help_text="A place's slug or name.")
    voice = django_filters.ChoiceFilter(choices=Outcome.Voice.choices, method=unfiltered,
                                        help_text="Meetings with an outcome item in this voice.")
    date_after = django_filters.DateFilter(method=unfiltered, help_text="On or after this date (YYYY-MM-DD). A meeting known only to its "
                                           "month matches any window that overlaps its month.")
    date_before = django_filters.DateFilter(method=unfiltered, help_text="On or before this date (YYYY-MM-DD).")
    state = django_filters.ChoiceFilter(choices=Meeting.State.choices, method=unfiltered,
                                        help_text="Curators only: draft or published meetings (everyone else sees the published ones).")
    ordering = django_filters.ChoiceFilter(choices=[(key, key) for key in ORDERINGS], method=unfiltered,
                                           help_text="relevance (default with q), -date (default without), date.")

    class Meta:
        model = Meeting
        fields = []
        form = MeetingFilterForm

    def filter_queryset(self, queryset):
        """The search's results, loaded through `queryset` (the caller's display queryset)."""
        return search(**self.search_arguments(), queryset=queryset)

    def search_arguments(self):
        """The validated parameters as arguments of `alliance.search.service.search`."""
        data = self.form.cleaned_data
        filters = {name: data.get(name) for name in ("kind", "body", "person", "topic", "place", "voice", "date_after", "date_before",
                                                     "state")}
        return {
            "drafts": sees_drafts(getattr(self.request, "user", None)),
            "query": data.get("q") or "",
            "filters": {name: value for name, value in filters.items() if value},
            "sort": ORDERINGS.get(data.get("ordering") or ""),
        }
