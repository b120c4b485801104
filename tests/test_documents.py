"""Primary sources: the governments' own documents about a meeting (readouts, joint statements,
press conferences…), each at one https address, curated like every other record, shown on the
meeting's page and /documents/, in the API and in the home page's counts."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import Organization
from documents.models import Document
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

# The publishers' own sites: every curated address is on its publisher's, never a copy elsewhere.
PUBLISHERS_SITES = {
    "mofa": "mofa.go.jp", "mod": "mod.go.jp", "kantei": "kantei.go.jp", "white-house": "whitehouse.gov",
    "department-of-state": "state.gov", "department-of-defense": "defense.gov", "indopacom": "pacom.mil",
}


def new(url="https://www.mofa.go.jp/mofaj/na/na1/us/page_new.html", **fields):
    return Document(url=url, publisher=Organization.objects.get(slug=fields.pop("publisher", "mofa")), language="ja",
                    kind="readout", title=fields.pop("title", "日米首脳会談"), date=datetime.date(2023, 1, 13), **fields)


def refusal(document):
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    return refused.value.message_dict


# --- the record --------------------------------------------------------------------------------


@pytest.mark.parametrize("url, says", [
    ("http://www.mofa.go.jp/mofaj/page.html", "Only https addresses"),
    ("https://", "well-formed address"),
    ("www.mofa.go.jp/mofaj/page.html", "well-formed address"),
    ("javascript:alert(1)", "well-formed address"),
    ("https://user:secret@www.mofa.go.jp/page.html", "user name or password"),
    ("https://www.mofa.go.jp/" + "a" * 500, "at most 500 characters"),
])
def test_an_address_that_is_not_a_well_formed_https_address_is_refused_and_says_why(url, says):
    assert any(says in message for message in refusal(new(url))["url"])


def test_one_document_per_address_whatever_the_case_of_the_host_or_an_explicit_port():
    new().save()
    for same in ("https://WWW.MOFA.GO.JP/mofaj/na/na1/us/page_new.html", "https://www.mofa.go.jp:443/mofaj/na/na1/us/page_new.html",
                 "  https://www.mofa.go.jp/mofaj/na/na1/us/page_new.html  "):
        assert "recorded already" in refusal(new(same))["url"][0]
    other_page = new("https://www.mofa.go.jp/mofaj/na/na1/us/page_new.html#item-2")  # a fragment names another place
    other_page.full_clean()


def test_the_stored_address_is_the_canonical_one_and_the_title_one_line():
    document = new("https://WWW.Mod.go.jp:443/j/approach/anpo/2024/0101a_usa-j.html", title=" 日米防衛相会談の\n概要 ")
    document.full_clean()
    document.save()
    document.refresh_from_db()
    assert document.url == "https://www.mod.go.jp/j/approach/anpo/2024/0101a_usa-j.html"
    assert document.title == "日米防衛相会談の 概要"


def test_a_title_and_a_publisher_are_required():
    errors = refusal(Document(url="https://www.mofa.go.jp/x.html", language="ja", kind="readout", date=datetime.date(2023, 1, 1)))
    assert {"title", "publisher"} <= set(errors)


def test_every_version_of_a_document_is_kept_with_its_links():
    document = new()
    document.save()
    document.meetings.add(Meeting.objects.get(slug="2023-01-13-summit"))
    document.title = "日米首脳会談（概要）"
    document.save()
    versions = list(document.history.order_by("history_date"))
    assert [version.title for version in versions][-1] == "日米首脳会談（概要）"
    assert [m.meeting_id for m in versions[-1].meetings.all()] == [Meeting.objects.get(slug="2023-01-13-summit").pk]


# --- the curated links ---------------------------------------------------------------------------


def test_every_curated_address_is_on_its_publishers_own_site():
    for document in Document.objects.select_related("publisher"):
        host = urlsplit(document.url).hostname
        site = PUBLISHERS_SITES[document.publisher.slug]
        assert host == site or host.endswith("." + site), (document.url, document.publisher.slug)
        document.full_clean()


def test_the_readouts_found_are_linked_to_their_meetings():
    linked = {m.slug: {(d.publisher.slug, d.language, d.kind) for d in m.documents.all()}
              for m in Meeting.objects.prefetch_related("documents__publisher")}
    assert ("mod", "ja", "readout") in linked["2023-01-12-defense-ministers"]
    assert ("mod", "en", "readout") in linked["2023-01-12-defense-ministers"]
    assert ("mofa", "ja", "readout") in linked["2023-01-13-summit"]
    assert ("kantei", "en", "readout") in linked["2022-11-13-summit"]
    assert ("department-of-state", "en", "joint-statement") in linked["2022-07-economic-2plus2"]
    # none was found for these: the white paper is their only source
    assert linked["1976-07-08-scc"] == linked["2012-04-27-scc"] == linked["2023-05-18-summit"] == set()


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def curator(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    return client


def admin_form(**fields):
    return {"url": "https://www.mofa.go.jp/mofaj/na/na1/us/page_admin.html", "title": "日米首脳会談",
            "publisher": Organization.objects.get(slug="mofa").pk, "language": "ja", "kind": "readout", "date": "2023-01-13",
            "meetings": [Meeting.objects.get(slug="2023-01-13-summit").pk], "note_ja": "", "note_en": "", **fields}


def test_a_curator_adds_a_document_in_the_admin_and_links_it_to_a_meeting(curator):
    response = curator.post(reverse("admin:documents_document_add"), admin_form(change_reason="MOFA's readout"))
    assert response.status_code == 302
    document = Document.objects.get(url__endswith="page_admin.html")
    assert [m.slug for m in document.meetings.all()] == ["2023-01-13-summit"]
    assert document.history.first().history_change_reason == "MOFA's readout"


@pytest.mark.parametrize("url, says", [
    ("http://www.mofa.go.jp/mofaj/na/na1/us/page_admin.html", "Only https addresses"),
    ("https://www.mod.go.jp/j/approach/anpo/2023/0113a_usa-j.html", "recorded already"),  # a curated one
])
def test_the_admin_refuses_an_address_with_a_form_error(curator, url, says):
    response = curator.post(reverse("admin:documents_document_add"), admin_form(url=url))
    assert response.status_code == 200 and says in response.content.decode()
    assert not Document.objects.filter(url__endswith="page_admin.html").exists()


# --- the API -----------------------------------------------------------------------------------


def test_a_meeting_in_the_api_lists_its_primary_sources(client):
    data = client.get("/api/v1/meetings/2023-01-12-defense-ministers/").json()
    by_url = {document["url"]: document for document in data["documents"]}
    readout = by_url["https://www.mod.go.jp/j/approach/anpo/2023/0113a_usa-j.html"]
    assert readout == {"url": "https://www.mod.go.jp/j/approach/anpo/2023/0113a_usa-j.html", "title": "日米防衛相会談の概要",
                       "publisher": "mod", "publisher_ja": "防衛省", "publisher_en": "Ministry of Defense of Japan",
                       "language": "ja", "kind": "readout", "date": "2023-01-13"}
    assert client.get("/api/v1/meetings/2023-05-18-summit/").json()["documents"] == []


@pytest.mark.parametrize("query, expected", [
    ("publisher=mod&language=ja", {("mod", "ja")}),
    ("publisher=kantei", {("kantei", "en")}),
    ("language=ja&kind=readout", {("mod", "ja"), ("mofa", "ja")}),
    ("meeting=2023-01-12-defense-ministers&language=en", {("mod", "en"), ("department-of-defense", "en"), ("indopacom", "en")}),
    ("edition=1997", {("mod", "ja")}),
    ("body=SDC", {("mod", "ja")}),
    ("date_after=2023-11-01", {("mofa", "ja"), ("mofa", "en")}),
])
def test_the_documents_are_filtered_by_publisher_language_kind_and_what_they_are_about(client, query, expected):
    data = client.get(f"/api/v1/documents/?{query}&page_size=100").json()
    assert data["count"] == len(data["results"]) > 0
    assert {(d["publisher"], d["language"]) for d in data["results"]} == expected


@pytest.mark.parametrize("query, field", [
    ("publisher=nowhere", "publisher"), ("language=fr", "language"), ("kind=tweet", "kind"),
    ("meeting=1900-01-01-summit", "meeting"), ("date_after=yesterday", "date_after"),
])
def test_a_filter_value_that_names_nothing_is_a_400_that_says_which(client, query, field):
    response = client.get(f"/api/v1/documents/?{query}")
    assert response.status_code == 400 and field in response.json()["errors"]


def test_a_draft_meeting_is_not_named_to_visitors_by_the_documents_about_it(client):
    Meeting.objects.filter(slug="2023-01-13-summit").update(state=Meeting.State.DRAFT)
    for document in client.get("/api/v1/documents/?page_size=100").json()["results"]:
        assert "2023-01-13-summit" not in document["meetings"]
    assert client.get("/api/v1/documents/?meeting=2023-01-13-summit").status_code == 400


# --- the pages ---------------------------------------------------------------------------------


def test_a_meetings_page_lists_its_primary_sources_with_publisher_language_and_link(client):
    html = client.get("/en/meetings/2023-01-12-defense-ministers/").content.decode()
    section = html[html.index('id="documents-title"'):html.index('class="source"')]
    assert "Primary sources" in html
    assert '<a href="https://www.mod.go.jp/j/approach/anpo/2023/0113a_usa-j.html" hreflang="ja" rel="external noopener">' \
           '<cite lang="ja">日米防衛相会談の概要</cite></a>' in section
    assert "Ministry of Defense of Japan" in section and "Japanese" in section and "readout" in section
    assert 'href="#documents-title"' in html  # the abridged table points to them


def test_a_meeting_with_no_primary_source_says_so(client):
    html = client.get("/meetings/2023-05-18-summit/").content.decode()
    assert "一次資料" in html and "政府の公式ページは、まだ見つかっていません" in html


def test_a_title_is_text_never_markup(client):
    document = new(title='<script>alert("x")</script> 日米首脳会談')
    document.save()
    document.meetings.add(Meeting.objects.get(slug="2023-05-18-summit"))
    for url in ("/meetings/2023-05-18-summit/", "/documents/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 日米首脳会談" in html


def test_the_documents_page_counts_the_meetings_with_and_without_one_and_filters(client):
    html = client.get("/en/documents/").content.decode()
    assert "9 published meetings have an official readout or joint statement linked; 6 have none." in html
    assert "counted too, 12 have one and 3 have none yet." in html
    assert html.count('rel="external noopener"') == Document.objects.count()
    assert "2023-05-18" in html[html.index('id="without-title"'):]  # a worklist of those without
    filtered = client.get("/documents/?publisher=kantei&language=en").content.decode()
    assert filtered.count('rel="external noopener"') == Document.objects.filter(publisher__slug="kantei").count() == 4
    assert "一次資料" in filtered and "公開中の会談のうち9件" in filtered


def test_a_documents_filter_that_names_nothing_is_a_400_page_that_says_which(client):
    response = client.get("/en/documents/?publisher=nowhere&kind=tweet")
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert "<code>publisher</code>" in html and "<code>kind</code>" in html


def test_the_home_page_counts_the_meetings_with_an_official_readout(client):
    # a readout or a joint statement; a press conference or a news story alone is not one
    html = client.get("/").content.decode()
    assert 'href="/documents/">公式の会談概要のある会談</a></dt><dd>9 <span class="hint">（なし 6）</span>' in html


def test_the_documents_page_costs_the_same_queries_however_many_documents(client):
    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/documents/").status_code == 200
        return len(captured)

    client.get("/documents/")  # the counts, cached for the data as it is
    before = cost()
    # the documents, their meetings, bodies, editions and provisions, the publishers, the count, the
    # meetings without one, the data version
    assert before == 9
    for number in range(30):
        document = new(f"https://www.mofa.go.jp/mofaj/page_{number}.html")
        document.save()
        document.meetings.add(Meeting.objects.get(slug="2023-05-18-summit"))
    client.get("/documents/")  # the counts, cached again for the data as it is now
    assert cost() == before


def test_a_body_and_an_edition_list_the_documents_about_them(client):
    # the progress report of 1996 is about the SDC and the review that led to the 1997 Guidelines
    for url in ("/bodies/SDC/", "/guidelines/1997/"):
        html = client.get(url).content.decode()
        assert 'id="documents-title"' in html and "日米防衛協力のための指針の見直しの進捗状況報告" in html, url
    assert 'id="documents-title"' not in client.get("/bodies/SCC/").content.decode()  # none: no empty section
