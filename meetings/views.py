"""The meeting search page, a meeting's permalink, and its citation downloads."""

import datetime

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from alliance.history import changes
from alliance.views import record_or_redirect
from meetings import citations
from meetings.filters import MeetingFilter
from meetings.models import Attendance, Meeting, Outcome
from meetings.presentation import each_part_alone, facet_panels, hits, kind_chart, link

PER_PAGE = 20


def meeting_list(request):
    """Search meetings: the API's filters and query language, facets with counts, a chart."""
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.for_hits(), request=request)
    if not filterset.is_valid():
        context = {"filterset": filterset, "kept": _kept(request.GET), "problems": _problems(filterset, request.GET)}
        return render(request, "meetings/meeting_list.html", context, status=400)
    results = filterset.qs
    facets = results.facets()
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    chosen = {name: value for name, value in filterset.form.cleaned_data.items() if value and name not in ("q", "ordering")}
    context = {
        "filterset": filterset,
        "results": results,
        "page": page,
        "hits": hits(page.object_list, results.query),
        "panels": facet_panels(facets, request.GET, chosen),
        "facets": facets,
        "estimated": facets.estimated,
        "chart": kind_chart(facets.per_year.get("kind", {}), chart_id="results-chart") if facets.total else "",
        "alone": each_part_alone(results, request.GET),
        "export_query": _export_query(request.GET),
        "kept": _kept(request.GET),
    }
    return render(request, "meetings/meeting_list.html", context)


FIELDS_ON_THE_FORM = ("q", "date_after", "date_before", "ordering")


def _problems(filterset, params):
    """(parameter, message, link) for the error summary: a field on the form is linked to, a
    filter that is not (it came from a link or a bookmark) gets a link that removes it."""
    problems = []
    for name, errors in filterset.errors.items():
        for error in errors:
            problems.append({"name": name, "error": error, "field": name in FIELDS_ON_THE_FORM,
                             "remove_url": link(params, **{name: None}) if name != "__all__" else ""})
    return problems


def _kept(params):
    """The facet filters chosen, which the search form carries along as hidden fields."""
    return [(name, params[name]) for name in ("kind", "body", "person", "topic", "place", "voice", "state") if params.get(name)]


def _export_query(params):
    """The search's parameters, as the API, the feed and the calendar take them (no page)."""
    exported = params.copy()
    exported.pop("page", None)
    return exported.urlencode()


def _meeting(request, slug):
    return record_or_redirect(Meeting.objects.visible_to(request.user).with_details(), Meeting, slug, slug=slug)


def meeting_detail(request, slug):
    meeting, moved = _meeting(request, slug)
    if moved:
        return moved
    url = request.build_absolute_uri(meeting.get_absolute_url())
    language = request.LANGUAGE_CODE
    outcomes = meeting.outcomes.all()
    neighbours = Meeting.objects.visible_to(request.user).only("slug", "date", "date_precision", "title_ja", "title_en")
    context = {
        "meeting": meeting,
        "outcomes_unofficial": bool(outcomes) and all(outcome.en_unofficial for outcome in outcomes),
        "previous": neighbours.filter(date__lt=meeting.date).order_by("-date", "-slug").first()
        or neighbours.filter(date=meeting.date, slug__lt=meeting.slug).order_by("-slug").first(),
        "next": neighbours.filter(date__gt=meeting.date).order_by("date", "slug").first()
        or neighbours.filter(date=meeting.date, slug__gt=meeting.slug).order_by("slug").first(),
        "citation": citations.citation_text(meeting, url=url, accessed=datetime.date.today(), language=language),
        "meta_tags": citations.meta_tags(meeting, url=url, language=language),
        "json_ld": citations.json_ld_script(citations.json_ld(meeting, url=url, language=language)),
        "changes": changes([("meeting", Meeting.history.filter(id=meeting.pk)),
                            ("attendee", Attendance.history.filter(meeting_id=meeting.pk)),
                            ("item", Outcome.history.filter(meeting_id=meeting.pk))]),
    }
    return render(request, "meetings/meeting_detail.html", context)


CITATION_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", citations.bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", citations.ris),
}


def meeting_citation(request, slug, format):
    """The meeting's citation as a file: BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)."""
    meeting, moved = _meeting(request, slug)
    if moved:
        return moved
    url = request.build_absolute_uri(meeting.get_absolute_url())
    arguments = {"url": url, "accessed": datetime.date.today(), "language": request.LANGUAGE_CODE}
    if format == "json":
        response = JsonResponse(citations.csl_json(meeting, **arguments), safe=False,
                                json_dumps_params={"ensure_ascii": False, "indent": 2},
                                content_type="application/vnd.citationstyles.csl+json; charset=utf-8")
    else:
        content_type, render_citation = CITATION_FORMATS[format]
        response = HttpResponse(render_citation(meeting, **arguments), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{meeting.slug}.{format}"'
    return response
