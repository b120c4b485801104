import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet, construct_instance
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from alliance.admin_base import IMPORT_CHECKS, CuratedAdmin, CuratedInline, VersionedModelForm
from alliance.models import Source
from meetings import importer
from meetings.models import Attendance, Meeting, Outcome
from meetings.services import (
    RELATIONS,
    deleted_meetings,
    restore_meeting,
    save_meeting,
    validate_meeting,
    validate_meeting_record,
    validate_row,
)

IMPORT_CHECKS.update({Meeting: validate_meeting_record, Attendance: validate_row, Outcome: validate_row})
ROWS = {Attendance: "attendances", Outcome: "outcomes"}  # save_meeting's arguments for a meeting's rows
ERRORS = {Attendance: "attendees", Outcome: "outcomes"}  # and the keys of its errors about them


class MeetingRowsFormSet(BaseInlineFormSet):
    """A meeting's attendees or outcome items on its change form, judged together with the other
    inline by the write path's rules (`validate_meeting`), so that the admin refuses what the API
    refuses, in the same words; and saved with the meeting by `save_meeting` (MeetingAdmin)."""

    siblings = ()  # the change form's other row formsets (MeetingAdmin sets them)

    def rows(self):
        """The rows the meeting will have, as `save_meeting` takes them (an empty extra form and
        a row marked for deletion are not rows)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form):
                continue
            row = {name: value for name, value in data.items() if name not in ("id", "DELETE", self.fk.name)}
            for name in RELATIONS:
                if name in row:
                    row[name] = list(row[name])
            rows.append(row)
        return rows

    def clean(self):
        super().clean()
        shared = self.instance.__dict__.setdefault("_rows_judged", set())
        if shared:
            return  # a sibling judged the rows of both
        shared.add(self.model)
        formsets = [self, *self.siblings]
        if self.instance.date is None or not all([formset.is_valid() for formset in self.siblings]) or any(
                form.errors for form in self.forms):
            return  # each row's own errors first (and the meeting's date, on the main form)
        held = Meeting.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            validate_meeting(meeting=held, fields={"date": self.instance.date, "state": self.instance.state},
                             **{ROWS[formset.model]: formset.rows() for formset in formsets})
        except ValidationError as error:
            by_rows = error.message_dict
            for formset in self.siblings:
                formset._non_form_errors.extend(by_rows.get(ERRORS[formset.model], []))
            if ERRORS[self.model] in by_rows:
                raise ValidationError(by_rows[ERRORS[self.model]]) from None


class MeetingRowForm(VersionedModelForm):
    """An attendee or an outcome item on its own change page: judged with the meeting's other rows
    by the write path's rules, as on the meeting's page and in the API."""

    def _post_clean(self):
        # The write path's rules first: they cover the uniqueness of (meeting, position) in the
        # API's words ("position 2 is given more than once"); the model's rules follow if they pass.
        if not self.errors and self.cleaned_data.get("meeting") is not None:
            candidate = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
            try:
                validate_row(candidate)
            except ValidationError as error:
                self.add_error(None, error.messages)
                return
        super()._post_clean()


class AttendanceInline(CuratedInline, admin.TabularInline):
    model = Attendance
    formset = MeetingRowsFormSet
    extra = 0
    autocomplete_fields = ["person", "post", "source"]


class OutcomeInline(CuratedInline, admin.StackedInline):
    model = Outcome
    formset = MeetingRowsFormSet
    extra = 0
    autocomplete_fields = ["topics", "provisions", "source"]


class ImportTableForm(forms.Form):
    """A white paper's table of meetings, to preview and then import (manage.py import_meetings)."""

    MAX_BYTES = 2 * 1024 * 1024

    file = forms.FileField(required=False, help_text="UTF-8 text: a header line (年月日, 会議/場所, 出席者, 結果概要) per "
                                                     "printed page, then rows of four tab-separated cells.")
    table = forms.CharField(required=False, widget=forms.HiddenInput)  # the previewed file, carried to the import
    source = forms.ModelChoiceField(Source.objects.exclude(figure="").order_by("slug"),
                                    widget=forms.Select(attrs={"style": "max-width: 100%"}),
                                    help_text="The source of the table's first page (its publication and figure).")
    update = forms.BooleanField(required=False, help_text="Also write what the table says of meetings already here "
                                                          "that differ (English, topics, provisions and notes are kept).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].label_from_instance = lambda source: f"{source.slug} (figure {source.figure}, page {source.page})"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(f"The file is larger than {self.MAX_BYTES // 1024 // 1024} MB.")
            try:
                cleaned["table"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not cleaned.get("table"):
            raise forms.ValidationError("Choose the file of the table.")
        try:
            cleaned["plan"] = importer.plan_import(importer.read_table(cleaned["table"]), source=cleaned["source"]) \
                if cleaned.get("source") else None
        except importer.TableError as error:
            raise forms.ValidationError(f"{error}. Nothing was imported.") from None
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(CuratedAdmin):
    search_kind = "meeting"
    list_display = ["when", "title_ja", "title_en", "kind", "status", "state", "place", "body"]
    list_filter = ["state", "kind", "body", "status"]
    list_select_related = ["place", "body"]
    search_fields = ["slug", "title_ja", "title_en", "printed_ja"]
    date_hierarchy = "date"
    autocomplete_fields = ["body", "place", "source"]
    inlines = [AttendanceInline, OutcomeInline]
    actions = ["publish", "make_draft"]
    change_list_template = "admin/meetings/meeting/change_list.html"

    @admin.display(description="date", ordering="date")
    def when(self, meeting):
        """The date at the precision the source gives: 2023-04, not 2023-04-01."""
        return meeting.date_display

    def get_urls(self):
        return [path("import-table/", self.admin_site.admin_view(self.import_table_view), name="meetings_meeting_import_table"),
                path("deleted/", self.admin_site.admin_view(self.deleted_view), name="meetings_meeting_deleted"),
                *super().get_urls()]

    def deleted_view(self, request):
        """The deleted meetings, each with who deleted it and when; restore one with its attendees and items."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST":
            try:
                meeting = restore_meeting(int(request.POST.get("meeting", "")))
            except (ValueError, ValidationError) as error:
                message = "; ".join(error.messages) if isinstance(error, ValidationError) else "No meeting was chosen."
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, f"Restored {meeting.slug} with {meeting.attendances.count()} attendees and "
                                           f"{meeting.outcomes.count()} outcome items.", messages.SUCCESS)
                return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "deleted": deleted_meetings(),
                   "title": "Deleted meetings"}
        return TemplateResponse(request, "admin/meetings/meeting/deleted.html", context)

    def import_table_view(self, request):
        """Upload a table, see what importing it would do, then import it: new meetings as drafts."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportTableForm(request.POST or None, request.FILES or None)
        lines = []
        if request.method == "POST" and form.is_valid():
            plan, update = form.cleaned_data["plan"], form.cleaned_data["update"]
            if "import" in request.POST:
                try:
                    with transaction.atomic():
                        importer.apply_import(plan, update=update, reason="imported in the admin")
                except importer.TableError as error:
                    form.add_error(None, f"{error}. Nothing was imported.")
                else:
                    self.message_user(request, plan.summary(update), messages.SUCCESS)
                    return redirect(reverse("admin:meetings_meeting_changelist") + "?state__exact=draft")
            else:
                lines = importer.report(plan, dry_run=True, update=update)
                form = ImportTableForm(initial={"table": form.cleaned_data["table"], "source": form.cleaned_data["source"],
                                                "update": update})
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "lines": lines,
                   "title": "Import a table of meetings"}
        return TemplateResponse(request, "admin/meetings/meeting/import_table.html", context)

    def get_changeform_initial_data(self, request):
        # a new meeting starts as a draft: nobody but curators sees it until it is published
        return {"state": Meeting.State.DRAFT, **super().get_changeform_initial_data(request)}

    def _create_formsets(self, request, obj, change):
        formsets, inlines = super()._create_formsets(request, obj, change)
        rows = [formset for formset in formsets if isinstance(formset, MeetingRowsFormSet)]
        for formset in rows:
            formset.siblings = [other for other in rows if other is not formset]
        return formsets, inlines

    def save_model(self, request, obj, form, change):
        pass  # saved with its rows, through the write path, in save_related

    def save_related(self, request, form, formsets, change):
        """The meeting and its rows through `save_meeting`, as the API saves them: rows updated in
        place (ids kept), one reindex, one history version per row written."""
        meeting = form.instance
        fields = {field.name: form.cleaned_data[field.name] for field in Meeting._meta.concrete_fields
                  if field.name in form.cleaned_data}
        rows = {ROWS[formset.model]: formset.rows() for formset in formsets if isinstance(formset, MeetingRowsFormSet)}
        held = Meeting.objects.get(pk=meeting.pk) if change else None
        saved = save_meeting(meeting=held, fields=fields, reason=form.cleaned_data.get("change_reason") or "", **rows)
        meeting.pk = saved.pk
        for formset in formsets:  # what the admin's log message names
            forms = [form for form in formset.forms if getattr(form, "cleaned_data", None)]
            formset.new_objects = [f.instance for f in forms if not f.instance.pk and not formset._should_delete_form(f)]
            formset.changed_objects = [(f.instance, f.changed_data) for f in forms
                                       if f.instance.pk and f.has_changed() and not formset._should_delete_form(f)]
            formset.deleted_objects = [f.instance for f in forms if f.instance.pk and formset._should_delete_form(f)]

    @admin.action(description="Publish the selected meetings", permissions=["change"])
    def publish(self, request, queryset):
        self._set_state(request, queryset, Meeting.State.PUBLISHED)

    @admin.action(description="Return the selected meetings to draft", permissions=["change"])
    def make_draft(self, request, queryset):
        self._set_state(request, queryset, Meeting.State.DRAFT)

    def _set_state(self, request, queryset, state):
        """Each meeting through the write path, so that every change is a version in its history."""
        changed, refused = 0, []
        for meeting in queryset.exclude(state=state):
            try:
                with transaction.atomic():
                    save_meeting(meeting=meeting, fields={"state": state}, reason=f"{state} (admin action)")
            except ValidationError as error:
                refused.append(f"{meeting.slug}: {' '.join(error.messages)}")
                continue
            changed += 1
        self.message_user(request, f"{changed} meeting(s) now {state}.")
        for message in refused:
            self.message_user(request, f"Not {state}: {message}", level=messages.ERROR)


@admin.register(Attendance)
class AttendanceAdmin(CuratedAdmin):
    form = MeetingRowForm
    list_display = ["meeting", "position", "label_ja", "person", "post", "side"]
    list_filter = ["side"]
    list_select_related = ["meeting", "person", "post"]
    search_fields = ["label_ja", "label_en", "label_printed", "person__name_ja", "person__name_en"]
    autocomplete_fields = ["meeting", "person", "post", "source"]


@admin.register(Outcome)
class OutcomeAdmin(CuratedAdmin):
    form = MeetingRowForm
    search_kind = "outcome"
    list_display = ["meeting", "position", "voice", "text_ja"]
    list_filter = ["voice", "topics"]
    list_select_related = ["meeting"]
    search_fields = ["text_ja", "text_en", "meeting__title_ja"]
    autocomplete_fields = ["meeting", "topics", "provisions", "source"]
