"""/documents/: every primary source, by publisher, language and kind, and how many meetings have one."""

from django.core.paginator import Paginator
from django.shortcuts import render

from alliance.models import Organization
from alliance.views import site_counts
from documents.api import DocumentFilter
from documents.models import Document
from meetings.models import Meeting

PER_PAGE = 50
WITHOUT_SHOWN = 50  # the most recent meetings that have none, as a curator's worklist


def document_list(request):
    """The documents the filters select, oldest first; the meetings with and without one."""
    filters = DocumentFilter(request.GET or None, queryset=Document.objects.with_details(request.user), request=request)
    valid = filters.is_bound is False or filters.is_valid()
    documents = filters.qs if valid else Document.objects.none()
    page = Paginator(documents, PER_PAGE).get_page(request.GET.get("page"))
    without = (Meeting.objects.visible_to(request.user).filter(documents__isnull=True)
               .only("slug", "date", "date_precision", "title_ja", "title_en", "state").order_by("-date", "-slug")[:WITHOUT_SHOWN])
    context = {"form": filters.form, "page": page, "documents": page.object_list, "counts": site_counts(), "without": without, "filtered": bool(request.GET.keys() - {"page"}),
        "language_choices": Document.Language.choices, "kind_choices": Document.Kind.choices,
        # the publishers the select offers: those with a document (any organization's slug is accepted)
        "publishers": Organization.objects.filter(documents__isnull=False).distinct().order_by("country", "slug")}
    return render(request, "documents/document_list.html", context, status=200 if valid else 400)
