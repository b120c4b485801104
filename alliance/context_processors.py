"""What every page's frame needs: the language switch that keeps the page, the navigation, the
header's query."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("meetings:list", _("Meetings")),
    ("body-list", _("Bodies")),
    ("person-list", _("People")),
    ("topic-list", _("Topics")),
    ("guidelines:list", _("Guidelines")),
    ("document-list", _("Primary sources")),
    ("search", _("Search everything")),
]


def site(request):
    current = get_language()
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    sections = []
    for name, label in SECTIONS:
        url = reverse(name)
        sections.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return {
        "languages": languages,
        "sections": sections,
        "header_query": request.GET.get("q", "") if request.method == "GET" else "",
    }
