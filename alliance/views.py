"""Pages of the shared vocabulary (bodies, people, topics), the home page and the site-wide search."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alliance.charts import year_chart
from alliance.forms import SiteSearchForm
from alliance.history import changes
from alliance.models import BodyNote, BodyParticipant, ConsultationBody, Person, Tenure, Topic
from alliance.search.index import data_version
from alliance.search.service import search
from alliance.site_search import KINDS, search_everything
from documents.models import READOUT_KINDS, published_meetings_with_documents
from guidelines.models import Edition, Provision
from meetings.models import Attendance, Meeting, Outcome, sees_drafts
from meetings.presentation import kind_chart

PER_PAGE = 20
GROUP_SIZE = 5  # hits shown per kind on the site-wide search page
LATEST = 50  # meetings listed on a person's or a body's page; the search lists them all


def record_or_redirect(queryset, model, key, **lookup):
    """The record, or a permanent redirect to where a renamed one lives now; 404 when neither."""
    record = queryset.filter(**lookup).first()
    if record is not None:
        return record, None
    renamed = model.at_former_address(key)
    if renamed is None:
        raise Http404(_("No such record."))
    return None, redirect(renamed, permanent=True)


def on_data_version(name, compute):
    """`compute()`, cached until the curated data next changes (a save, a delete, a relation)."""
    version = data_version()
    key = f"{name}:{version.isoformat() if version else 'none'}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=None)
    return value


# Past this many rows by the planner's statistics, a table that grows with the meetings is not
# counted on the home page but estimated (PostgreSQL): counting 5,000,000 outcome items took 0.6 s.
EXACT_ROWS = 100_000


def published_count(queryset, published_meetings):
    """(count, estimated) of `queryset`: the rows of a table that grows with the meetings, those
    of the `published_meetings` (how many there are).

    Exact while the table holds at most EXACT_ROWS rows (on SQLite, always): one statement. Past
    that, on PostgreSQL, the planner's count of the table's rows (as fresh as its last ANALYZE,
    which autovacuum runs as the table changes) times the share of the meetings that is
    published: the same statement, in constant time, never reading the table."""
    if connection.vendor != "postgresql":
        return queryset.count(), False
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN c.reltuples > %s THEN round(c.reltuples * %s / greatest(m.reltuples, %s))::bigint "
            f"ELSE (SELECT count(*) FROM ({sql}) q) END, c.reltuples > %s "
            "FROM pg_class c, pg_class m WHERE c.oid = %s::regclass AND m.oid = %s::regclass",
            [EXACT_ROWS, published_meetings, published_meetings, *params, EXACT_ROWS,
             queryset.model._meta.db_table, Meeting._meta.db_table],
        )
        return cursor.fetchone()


def _summary():
    """What the home page counts and charts: every figure from the database, recounted only
    when the data changes; the two that grow fastest with the meetings estimated past EXACT_ROWS."""
    facets = search(kind="meeting").facets()
    outcomes, outcomes_estimated = published_count(Outcome.objects.published(), facets.total)
    attendances, attendances_estimated = published_count(Attendance.objects.published(), facets.total)
    with_documents = published_meetings_with_documents()
    readouts = published_meetings_with_documents(READOUT_KINDS)
    return {
        "counts": {
            "meetings": facets.total,
            "outcomes": outcomes,
            "attendances": attendances,
            "people": Person.objects.count(),
            "bodies": ConsultationBody.objects.count(),
            "editions": Edition.objects.count(),
            "provisions": Provision.objects.count(),
            "topics": Topic.objects.count(),
            "with_readout": readouts,
            "with_documents": with_documents,
            "without_documents": facets.total - with_documents,
            "without_readout": facets.total - readouts,
        },
        # (the meetings are counted exactly: a list by date alone always is)
        "estimated_counts": {name for name, estimated in (("outcomes", outcomes_estimated),
                                                          ("attendances", attendances_estimated)) if estimated},
        "per_year": facets.per_year.get("kind", {}),
        "estimated": facets.estimated,
    }


def site_counts():
    """How many records of each kind the database holds (the home page's figures)."""
    return on_data_version("home-summary", _summary)["counts"]


def home(request):
    summary = on_data_version("home-summary", _summary)
    context = {
        "counts": summary["counts"],
        "estimated_counts": summary["estimated_counts"],
        "chart": kind_chart(summary["per_year"], chart_id="home-chart"),
        "chart_estimated": summary["estimated"],
        "recent_meetings": Meeting.objects.visible_to(request.user).select_related("place", "body")[:5],
        "bodies": ConsultationBody.objects.all(),
        "editions": Edition.objects.all(),
    }
    return render(request, "alliance/home.html", context)


def site_search(request):
    """Every kind of record at once, grouped with counts; `type` lists one kind in full."""
    form = SiteSearchForm(request.GET)
    if not request.GET:
        return render(request, "alliance/search.html", {"form": SiteSearchForm(), "groups": []})
    if not form.is_valid():
        return render(request, "alliance/search.html", {"form": form, "groups": []}, status=400)
    query, kind = form.cleaned_data["q"], form.cleaned_data["type"]
    filters = form.filters()
    if kind == "meeting":  # meetings have their own search page, with facets
        params = request.GET.copy()
        params.pop("type")
        return redirect(f"{reverse('meetings:list')}?{params.urlencode()}")
    groups = []
    for group_kind, results in search_everything(query=query, kinds=[kind] if kind else KINDS, filters=filters,
                                                         drafts=sees_drafts(request.user)).items():
        if kind:
            page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
            groups.append({"kind": group_kind, "results": results, "hits": page.object_list, "page": page})
        else:
            groups.append({"kind": group_kind, "results": results, "hits": results[:GROUP_SIZE]})
    context = {"form": form, "groups": groups, "query": groups[0]["results"].query if groups else None,
               "notes": groups[0]["results"].messages if groups else [], "kind": kind,
               "skipped": [k for k in ([kind] if kind else KINDS) if k not in {g["kind"] for g in groups}]}
    return render(request, "alliance/search.html", context)


def body_list(request):
    bodies = ConsultationBody.objects.select_related("parent").annotate(
        meeting_count=Count("meetings", filter=Q(meetings__state=Meeting.State.PUBLISHED)))
    return render(request, "alliance/body_list.html", {"bodies": bodies})


def body_detail(request, abbreviation):
    bodies = ConsultationBody.objects.with_details().prefetch_related("subsidiaries")
    body, moved = record_or_redirect(bodies, ConsultationBody, abbreviation, abbreviation__iexact=abbreviation)
    if moved:
        return moved
    if body.abbreviation != abbreviation:  # /bodies/scc/ → /bodies/SCC/
        return redirect(body, permanent=True)
    meetings = body.meetings.visible_to(request.user).select_related("place").order_by("-date", "slug")
    sides = [(side, [p for p in body.participants.all() if p.side == side]) for side in ("japan", "us")]
    context = {"body": body, "sides": sides, "meetings": meetings[:LATEST], "meeting_count": meetings.count(),
               "notes": body.notes.all(), "abbreviation_suffix": f" ({body.abbreviation})",
               "documents": body.documents.select_related("publisher"),
               "changes": changes([(_("the body"), ConsultationBody.history.filter(id=body.pk)),
                                   (_("participant"), BodyParticipant.history.filter(body_id=body.pk)),
                                   (_("note"), BodyNote.history.filter(body_id=body.pk))])}
    return render(request, "alliance/body_detail.html", context)


def person_list(request):
    people = Person.objects.with_tenures().annotate(
        meeting_count=Count("attendances", filter=Q(attendances__meeting__state=Meeting.State.PUBLISHED))).order_by("country", "name_kana")
    return render(request, "alliance/person_list.html", {"people": people})


def person_detail(request, slug):
    person, moved = record_or_redirect(Person.objects.with_tenures(), Person, slug, slug=slug)
    if moved:
        return moved
    attended = Attendance.objects.visible_to(request.user).filter(person=person).select_related(
        "meeting__body", "meeting__place", "post").order_by("-meeting__date", "meeting__slug")
    context = {"person": person, "attended": attended[:LATEST], "meeting_count": attended.count(),
               "changes": changes([(_("the person"), Person.history.filter(id=person.pk)),
                                   (_("post held"), Tenure.history.filter(person_id=person.pk))])}
    return render(request, "alliance/person_detail.html", context)


def _topic_counts():
    through_outcomes, through_provisions = Outcome.topics.through, Provision.topics.through
    return {
        "outcomes": dict(through_outcomes.objects.filter(outcome__meeting__state=Meeting.State.PUBLISHED).values_list("topic_id").annotate(n=Count("*")).values_list("topic_id", "n")),
        "provisions": dict(through_provisions.objects.values_list("topic_id").annotate(n=Count("*")).values_list("topic_id", "n")),
    }


def topic_list(request):
    counts = on_data_version("topic-counts", _topic_counts)
    topics = list(Topic.objects.order_by("name_en"))
    for topic in topics:
        topic.outcome_count = counts["outcomes"].get(topic.pk, 0)
        topic.provision_count = counts["provisions"].get(topic.pk, 0)
    return render(request, "alliance/topic_list.html", {"topics": topics})


def topic_detail(request, slug):
    topic, moved = record_or_redirect(Topic.objects.select_related("source__publication"), Topic, slug, slug=slug)
    if moved:
        return moved
    outcomes = (Outcome.objects.visible_to(request.user).filter(topics=topic).select_related("meeting")
                .order_by("meeting__date", "meeting__slug", "position"))
    page = Paginator(outcomes, PER_PAGE * 2).get_page(request.GET.get("page"))
    provisions = topic.provisions.select_related("edition").order_by("-edition__year", "path")
    facets = search(kind="outcome", filters={"topic": topic.slug}, drafts=sees_drafts(request.user)).facets()
    per_year = facets.years
    chart = year_chart(
        counts={year: {"items": count} for year, count in per_year.items()},
        series=[("items", _("outcome items"))],
        title=_("Outcome items about %(topic)s, per year") % {"topic": topic.name_en if get_language() == "en" else topic.name_ja},
        description=_("How many outcome items of the meetings are about this topic, each year."),
        chart_id="topic-chart",
    )
    context = {"topic": topic, "page": page, "outcomes": page.object_list, "provisions": provisions, "chart": chart,
               "chart_estimated": facets.estimated, "changes": changes([(_("the topic"), Topic.history.filter(id=topic.pk))])}
    return render(request, "alliance/topic_detail.html", context)
