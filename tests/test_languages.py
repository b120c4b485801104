"""Japanese at the plain addresses, English under /en/: every page in both, a switch that keeps the
page and its search, lang attributes on what is in the other language, and a complete catalog."""

import gettext
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGES = ["/", "/meetings/", "/meetings/?q=尖閣", "/meetings/2023-01-11-scc/", "/bodies/", "/bodies/SCC/", "/people/",
         "/people/hamada-yasukazu/", "/topics/", "/topics/senkaku-islands/", "/guidelines/", "/guidelines/2015/",
         "/search/?q=ISR"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_japanese_at_its_address_and_english_under_en(client, url):
    japanese, english = client.get(url), client.get("/en" + url)
    assert japanese.status_code == english.status_code == 200
    assert '<html lang="ja">' in japanese.content.decode() and '<html lang="en">' in english.content.decode()
    assert "会談" in japanese.content.decode()  # the navigation, at least, is Japanese
    assert ">Meetings<" in english.content.decode()


@pytest.mark.parametrize("url", [url for url in PAGES if "?" not in url])
def test_the_language_switch_keeps_the_page(client, url):
    html = client.get(url).content.decode()
    assert f'<a href="/en{url}" hreflang="en" lang="en">English</a>' in html
    back = client.get("/en" + url).content.decode()
    assert f'<a href="{url}" hreflang="ja" lang="ja">日本語</a>' in back


def test_the_switch_keeps_every_filter_of_a_search(client):
    html = client.get("/meetings/", {"q": "核", "kind": "summit", "ordering": "oldest"}).content.decode()
    assert 'href="/en/meetings/?q=%E6%A0%B8&amp;kind=summit&amp;ordering=oldest"' in html
    assert '<link rel="alternate" hreflang="en" href="/en/meetings/?q=%E6%A0%B8&amp;kind=summit&amp;ordering=oldest">' in html


def test_the_chosen_language_comes_first_and_the_other_is_marked_with_its_lang(client):
    english = client.get("/en/meetings/2023-01-11-scc/").content.decode()
    title = english[english.index("<h1>"):english.index("</h1>")]
    assert title.index('lang="en"') < title.index('lang="ja"')
    assert '<span class="other" lang="ja">日米安全保障協議委員会' in english
    japanese = client.get("/meetings/2023-01-11-scc/").content.decode()
    title = japanese[japanese.index("<h1>"):japanese.index("</h1>")]
    assert title.index('lang="ja"') < title.index('lang="en"')


def test_pages_keep_their_language_whatever_the_browser_asks_for(client):
    assert '<html lang="ja">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_api_follows_the_clients_accept_language(client):
    english = client.get("/api/v1/meetings/", {"kind": "picnic"}, HTTP_ACCEPT_LANGUAGE="en").json()
    japanese = client.get("/api/v1/meetings/", {"kind": "picnic"}, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert "Select a valid choice" in english["errors"]["kind"][0] and "正しく選択" in japanese["errors"]["kind"][0]
    assert "Ignored" in client.get("/api/v1/meetings/", {"q": "!!!"}, HTTP_ACCEPT_LANGUAGE="en").json()["messages"][0]


def parse_po(path):
    """{msgid: (msgstrs, fuzzy)} of a .po file: enough of the format for what makemessages writes."""
    entries, current, key, fuzzy = {}, {}, None, False

    def close():
        nonlocal current, fuzzy
        if current.get("msgid"):
            strings = [value for name, value in current.items() if name.startswith("msgstr")]
            entries[current["msgid"]] = (strings, fuzzy)
        current, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += eval(line)  # a continued C-style string literal
        else:
            key, _, value = line.partition(" ")
            current[key] = eval(value)
    return entries


def test_every_interface_string_has_a_japanese_translation_and_the_compiled_catalog_is_current():
    entries = parse_po(LOCALE / "django.po")
    assert len(entries) > 150
    compiled = gettext.GNUTranslations(open(LOCALE / "django.mo", "rb"))
    for msgid, (strings, fuzzy) in entries.items():
        assert not fuzzy and all(strings), f"untranslated or fuzzy: {msgid!r}"
        assert compiled.gettext(msgid) == strings[0], f"django.mo is older than django.po for {msgid!r}"


def test_every_string_the_templates_translate_is_in_the_catalog():
    entries = parse_po(LOCALE / "django.po")
    for template in TEMPLATES.rglob("*.html"):
        for msgid in re.findall(r'{% translate "([^"]+)"', template.read_text(encoding="utf-8")):
            assert msgid in entries, f"{template.name}: {msgid!r} is not in django.po (run makemessages)"
