"""The site-wide search's parameters: words, one kind to list in full, and the filters that
apply across kinds (validated by the same look-ups as the meeting filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance import lookups
from alliance.lookups import cleaner

KIND_NAMES = {
    "meeting": _("Meetings"),
    "outcome": _("Outcome items"),
    "provision": _("Guideline provisions"),
    "body": _("Consultation bodies"),
    "person": _("People"),
}


class SiteSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=2000)
    type = forms.ChoiceField(label=_("Only"), required=False, choices=[("", _("every kind")), *KIND_NAMES.items()])
    topic = forms.CharField(label=_("Topic"), required=False)
    person = forms.CharField(label=_("Person"), required=False)

    clean_topic = cleaner(lookups.topic_slug)
    clean_person = cleaner(lookups.person_slug)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("q", "").strip() and not self.filters():
            raise forms.ValidationError(_("Type something to search for, or choose a topic or a person."))
        return cleaned

    def filters(self):
        return {name: self.cleaned_data.get(name) for name in ("topic", "person") if self.cleaned_data.get(name)}

