"""In Chromium, as a researcher uses it: search in Japanese, narrow by a facet, open a meeting,
follow an attendee, switch language and back, open a provision by its anchor, all of it again
without JavaScript; no console errors, no serious accessibility violations (axe-core), no
horizontal scrolling on a phone.

The browser is Debian's Chromium (/usr/bin/chromium, installed by .ci/run). Without it these
tests are skipped, except in CI, where a missing browser is a failure. They run once, on the
embedded SQLite database: what a browser sees does not depend on the database, and every page's
data and query counts are tested on both databases by the test-client tests.
"""

import os
import shutil
from urllib.parse import unquote

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API keeps an event loop on the test thread; the test database's setup and
# teardown run there too and are synchronous, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if "postgres" in os.environ.get("DATABASE_URL", ""):
    pytest.skip("the browser tests run on the SQLite pass of CI", allow_module_level=True)
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it with apt-get")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

# django_db: so that the session sets up the test database; the tests themselves only read.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The site, serving the test database (the curated data) from a thread, for this module.

    The tests here only read, so no test transaction is needed: the server thread reads what the
    session's setup committed. An in-memory SQLite database is shared with the thread, as
    Django's LiveServerTestCase does."""
    with django_db_blocker.unblock():
        shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in shared.values():
            conn.inc_thread_sharing()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}"
        server.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def watched(page):
    """The page, failing the test on any console error or uncaught exception in it."""
    errors = []

    def console(message):
        # The one 404 these tests ask for on purpose is the page that does not exist.
        if message.type == "error" and not message.location.get("url", "").endswith("/no-such-page/"):
            errors.append(f"{message.location.get('url')}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], errors


def test_a_researcher_searches_narrows_reads_and_follows_a_person(site, watched):
    page = watched
    page.goto(site + "/")
    page.get_by_role("searchbox", name="会談を検索").first.fill("尖閣")
    page.get_by_role("searchbox", name="会談を検索").first.press("Enter")
    expect(page.locator("#results-title")).to_contain_text("3")
    assert "q=%E5%B0%96%E9%96%A3" in page.url
    expect(page.locator("mark").first).to_have_text("尖閣")

    page.locator("#facet-kind ~ ul a", has_text="首脳会談").click()
    expect(page.locator("#results-title")).to_contain_text("1")
    assert "kind=summit" in page.url

    page.locator(".hit h3 a").first.click()
    expect(page.locator("h1")).to_contain_text("日米首脳会談")
    assert page.url.endswith("/meetings/2022-05-23-summit/")

    page.locator("ul.attendees a", has_text="岸田文雄").click()
    expect(page.locator("h1")).to_contain_text("岸田文雄")
    assert page.url.endswith("/people/kishida-fumio/")


def test_the_language_switch_keeps_the_page_and_comes_back(site, watched):
    page = watched
    page.goto(site + "/meetings/?q=%E6%A0%B8&kind=summit")
    page.get_by_role("link", name="English").click()
    assert unquote(page.url).endswith("/en/meetings/?q=核&kind=summit")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#results-title")).to_contain_text("4 meetings")
    page.get_by_role("link", name="日本語").click()
    assert unquote(page.url).endswith("/meetings/?q=核&kind=summit") and "/en/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_a_provision_opens_at_its_anchor(site, watched):
    page = watched
    page.goto(site + "/en/guidelines/2015/#IV.C.2")
    provision = page.locator('[id="IV.C.2"]')
    expect(provision).to_be_in_viewport()
    page.locator(".toc a", has_text="Seamlessly Ensuring").first.click()
    assert page.evaluate("location.hash") == "#IV"


def test_a_meeting_page_copies_its_citation(site, watched, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = watched
    page.goto(site + "/en/meetings/2023-01-11-scc/")
    page.get_by_role("button", name="Copy the citation").click()
    assert "Japan–U.S. Alliance Database" in page.evaluate("navigator.clipboard.readText()")


def test_the_same_search_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/meetings/")
    page.locator("#q").fill("尖閣")
    page.locator(".search-form button[type=submit]").click()
    expect(page.locator("#results-title")).to_contain_text("3")
    page.locator("#facet-year ~ ul a", has_text="2022").click()
    expect(page.locator("#results-title")).to_contain_text("2")
    assert "date_after=2022-01-01" in page.url
    page.get_by_role("link", name="解除").first.click()  # remove the year again
    expect(page.locator("#results-title")).to_contain_text("3")
    expect(page.get_by_role("button", name="引用をコピー")).to_have_count(0)  # the copy button needs JavaScript
    context.close()


MAIN_PAGES = ["/", "/meetings/", "/meetings/?q=%E5%B0%96%E9%96%A3", "/meetings/?q=zzz+%E5%B0%96%E9%96%A3",
              "/meetings/2023-01-11-scc/", "/bodies/", "/bodies/SCC/", "/people/", "/people/hamada-yasukazu/",
              "/topics/", "/topics/senkaku-islands/", "/guidelines/", "/guidelines/2015/", "/search/?q=ISR",
              "/documents/", "/documents/?publisher=mod&language=ja", "/no-such-page/"]


@pytest.mark.parametrize("language", ["", "/en"])
def test_the_main_pages_have_no_serious_accessibility_violations(site, watched, language):
    axe = Axe()
    problems = {}
    for url in MAIN_PAGES:
        watched.goto(site + language + url)
        response = axe.run(watched).response
        serious = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in response["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            problems[language + url] = serious
    assert problems == {}


@pytest.mark.parametrize("language", ["", "/en"])
def test_no_page_scrolls_sideways_on_a_phone(site, browser, language):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    wide = {}
    for url in MAIN_PAGES:
        page.goto(site + language + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[language + url] = width
    context.close()
    assert wide == {}



def test_the_api_documentation_runs_under_the_content_security_policy(site, watched):
    # The policy allows no inline script and nothing from elsewhere: Swagger UI's start-up script
    # is a file of its own, ReDoc's page fetches no fonts. A violation is a console error.
    page = watched
    response = page.goto(site + "/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock-summary-path").first).to_be_visible()  # the operations, rendered by the script
    # ReDoc's bundle shows Redocly's logo from their CDN, which this machine cannot reach: the CDN
    # is played here, so that what is checked is the policy (which allows it on this page only)
    page.route("https://cdn.redoc.ly/**", lambda route: route.fulfill(
        status=200, content_type="image/svg+xml", body='<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'))
    page.goto(site + "/api/v1/redoc/")
    expect(page.locator("h1", has_text="Japan–U.S. Alliance Database API")).to_be_visible()


def test_the_admin_runs_under_the_content_security_policy(site, watched, django_user_model):
    django_user_model.objects.create_superuser("csp-curator", password="a long passphrase 2023")
    page = watched
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "csp-curator")
    page.fill("#id_password", "a long passphrase 2023")
    page.get_by_role("button", name="ログイン").or_(page.get_by_role("button", name="Log in")).click()
    expect(page.locator("#site-name")).to_be_visible()
    for path in ("/admin/meetings/meeting/", "/admin/meetings/meeting/?q=尖閣",
                 "/admin/meetings/meeting/add/", "/admin/meetings/outcome/", "/admin/meetings/meeting/import/",
                 "/admin/documents/document/", "/admin/documents/document/add/"):
        response = page.goto(site + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    page.goto(site + "/admin/meetings/meeting/")
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("#content h1, #content h2").first).to_be_visible()
    page.get_by_role("link", name="履歴").or_(page.get_by_role("link", name="History")).first.click()
    expect(page.locator("#content")).to_be_visible()
