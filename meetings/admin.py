from django.contrib import admin

from alliance.admin_base import CuratedAdmin
from meetings.models import Attendance, Meeting, Outcome


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person", "post", "source"]


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    autocomplete_fields = ["topics", "provisions", "source"]


@admin.register(Meeting)
class MeetingAdmin(CuratedAdmin):
    search_kind = "meeting"
    list_display = ["when", "title_ja", "title_en", "kind", "status", "place", "body"]
    list_filter = ["kind", "body", "status"]
    list_select_related = ["place", "body"]
    search_fields = ["slug", "title_ja", "title_en", "printed_ja"]
    date_hierarchy = "date"
    autocomplete_fields = ["body", "place", "source"]
    inlines = [AttendanceInline, OutcomeInline]

    @admin.display(description="date", ordering="date")
    def when(self, meeting):
        """The date at the precision the source gives: 2023-04, not 2023-04-01."""
        return meeting.date_display


@admin.register(Attendance)
class AttendanceAdmin(CuratedAdmin):
    list_display = ["meeting", "position", "label_ja", "person", "post", "side"]
    list_filter = ["side"]
    list_select_related = ["meeting", "person", "post"]
    search_fields = ["label_ja", "label_en", "label_printed", "person__name_ja", "person__name_en"]
    autocomplete_fields = ["meeting", "person", "post", "source"]


@admin.register(Outcome)
class OutcomeAdmin(CuratedAdmin):
    search_kind = "outcome"
    list_display = ["meeting", "position", "voice", "text_ja"]
    list_filter = ["voice", "topics"]
    list_select_related = ["meeting"]
    search_fields = ["text_ja", "text_en", "meeting__title_ja"]
    autocomplete_fields = ["meeting", "topics", "provisions", "source"]
