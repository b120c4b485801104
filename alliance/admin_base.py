"""What every curated model's admin shares: one index update per request, and no lost updates."""

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from import_export.admin import ImportExportMixin
from import_export.resources import ModelResource, modelresource_factory
from simple_history.admin import SimpleHistoryAdmin

from alliance import versions
from alliance.search.index import reindex_once


def record_state(record, inlines=()):
    """A record's fields and, for each (model, foreign key name) in `inlines`, its rows' fields:
    what a curator sees on its admin page, as JSON-able values."""
    import json

    def fields(row):
        values = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
        for field in row._meta.many_to_many:
            values[field.name] = sorted(item.pk for item in getattr(row, field.name).all())
        return json.loads(json.dumps(values, cls=DjangoJSONEncoder))

    state = fields(record)
    for model, key in inlines:
        rows = model._default_manager.filter(**{key: record}).order_by("pk").prefetch_related(
            *(field.name for field in model._meta.many_to_many))
        state[model._meta.model_name] = [fields(row) for row in rows]
    return state


class VersionedModelForm(forms.ModelForm):
    """A change form that remembers the version of the record it showed, and refuses to save
    over a version saved since (by another curator), saying what changed."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        required=False, max_length=100, label="Reason for the change",
        help_text="Optional: kept with this version in the record's history (e.g. 'scan error: 國 for 国').")
    current_state = None  # set per request: the record's state now, as a function

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.current_state and not self.is_bound:  # the version the curator is shown
            self.fields["loaded_version"].initial = versions.remember(self.current_state())

    def clean(self):
        cleaned = super().clean()
        loaded = self.data.get("loaded_version")
        if loaded and self.current_state:
            current = self.current_state()
            if versions.tag_of(current) != loaded:
                raise forms.ValidationError(versions.stale_message(loaded, current), code="stale")
        return cleaned


class KnownChoices:
    """An autocomplete widget that shows its selected records from `known` ({value: record},
    loaded for every widget of the page at once by `BatchedChoices`), not one query per widget:
    a meeting's page has three or four of them on each of its rows."""

    known = None

    def _to_field(self):
        opts = self.field.remote_field.model._meta
        return opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname)).attname

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.known is None or not selected <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected, key=list(self.known).index):
            record = self.known[key]
            option_value = getattr(record, self._to_field())
            default[1].append(self.create_option(name, option_value, self.choices.field.label_from_instance(record),
                                                 selected, len(default[1])))
        return [default]


class KnownChoicesSelect(KnownChoices, AutocompleteSelect):
    pass


class KnownChoicesSelectMultiple(KnownChoices, AutocompleteSelectMultiple):
    pass


class BatchedChoices:
    """For a model admin or an inline: autocomplete widgets that `render_change_form` fills at once."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownChoicesSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownChoicesSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CuratedInline(BatchedChoices):
    """An inline whose rows load with what they show (their records' names, their links) in a
    fixed number of queries, however many rows there are."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related()
        return queryset.prefetch_related(*(field.name for field in self.model._meta.many_to_many))


def fill_known_choices(forms):
    """Load what every autocomplete widget of these forms shows, one query per related model."""
    widgets, wanted = [], {}
    for form in forms:
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the "add another" wrapper
            if not isinstance(widget, KnownChoices):
                continue
            value = form[name].value()
            values = value if isinstance(value, (list, tuple)) else [value]
            widgets.append(widget)
            wanted.setdefault((widget.field.remote_field.model, widget._to_field()), set()).update(
                str(v) for v in values if v not in (None, ""))
    loaded = {}
    for (model, to_field), values in wanted.items():
        records = model._default_manager.select_related().filter(**{f"{to_field}__in": values}) if values else []
        loaded[model, to_field] = {str(getattr(record, to_field)): record for record in records}
    for widget in widgets:
        widget.known = loaded[widget.field.remote_field.model, widget._to_field()]


IMPORT_CHECKS = {}  # model → what a row of a bulk import must also pass (the apps register their write path's rules)


class CuratedResource(ModelResource):
    """A model's rows for the admin's bulk export and import (CSV, XLSX, JSON). An imported row is
    validated as its change form validates it (the model's rules, and the write path's rules the
    app registers in IMPORT_CHECKS), saved on its own so that it is a version in the history with
    the curator's name, and matched by id: an exported and re-imported row keeps its id."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        check = IMPORT_CHECKS.get(type(instance))
        if check is not None and not import_validation_errors:
            try:
                check(instance)  # first: its words are the API's (a position given twice, a voice)
            except ValidationError as error:
                raise ValidationError({"__all__": error.messages}) from None
        super().validate_instance(instance, import_validation_errors, validate_unique)


class CuratedAdmin(BatchedChoices, ImportExportMixin, SimpleHistoryAdmin):
    search_kind = None  # the search engine's kind for this model: the admin's search box then uses it
    """An admin whose writes (a record with its inlines, a delete, a bulk action or list edit)
    reach the search index once per request, inside the request's transaction; whose change form
    refuses a save made from a copy someone else has saved over since it was opened; and whose
    History page lists every version (who, when, what changed, why) and reverts to any of them."""

    form = VersionedModelForm

    def _once(self, view, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(self.model)), reindex_once():
            return view(*args, **kwargs)

    def changeform_view(self, request, object_id=None, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(self.model)), reindex_once():
            if object_id and request.method == "POST":
                # a second curator's save waits here for the first one's to commit, then sees it
                try:
                    key = self.model._meta.pk.to_python(unquote(object_id))
                except ValidationError:
                    key = None  # not a record's key: the admin answers that itself
                if key is not None:
                    list(self.model._default_manager.select_for_update().filter(pk=key).values_list("pk", flat=True))
            return super().changeform_view(request, object_id, *args, **kwargs)

    def delete_view(self, *args, **kwargs):
        return self._once(super().delete_view, *args, **kwargs)

    def import_action(self, *args, **kwargs):
        return self._once(super().import_action, *args, **kwargs)

    def process_import(self, *args, **kwargs):
        return self._once(super().process_import, *args, **kwargs)

    def get_resource_classes(self, request):
        return [modelresource_factory(self.model, resource_class=CuratedResource, meta_options={
            "clean_model_instances": True, "skip_unchanged": True, "report_skipped": False})]

    def changelist_view(self, *args, **kwargs):
        return self._once(super().changelist_view, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") if hasattr(form, "cleaned_data") else ""
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, *args, **kwargs):
        forms = [context["adminform"].form] if "adminform" in context else []
        for inline in context.get("inline_admin_formsets", []):
            forms += inline.formset.forms
        fill_known_choices(forms)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """The admin's search box finds what the site's search finds (any word of a meeting's items or
        attendees, in either language, 1-character Japanese included), and what `search_fields` find."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if not self.search_kind or not search_term.strip():
            return found, duplicates
        from alliance.search.service import search

        ids = search(query=search_term, kind=self.search_kind, drafts=True).ids()
        return queryset.filter(pk__in=ids) | found, duplicates

    def shown_state(self, request, record):
        """The record as its change page shows it: its fields and its inline rows'."""
        inlines = [(inline.model, inline.get_formset(request, record).fk.name)
                   for inline in self.get_inline_instances(request, record)]
        return record_state(record, inlines)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form
        return type(form.__name__, (form,), {"current_state": staticmethod(lambda: self.shown_state(request, obj))})
