"""Whatever text a client puts in any query parameter that the API's schema lists, or that the
search pages, the feed and the calendar take, the answer is a 2xx or a 4xx that says why: never
a 5xx. Hypothesis generates the text: any Unicode (NUL, surrogates' neighbours, characters that
case-fold longer, full-width forms, Japanese), up to past the query's length limit."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=700)
JAPANESE = st.text(st.sampled_from("尖閣諸島核拡大抑止日米同盟ａＢ１２３ー・「」　 "), min_size=1, max_size=30)


def listed_parameters():
    """(path, parameter) for every query parameter of every list operation in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] != "format":
                found.append((path, parameter["name"]))
    return found


PAGES = [("/meetings/", name) for name in ("q", "kind", "body", "person", "topic", "place", "voice", "date_after",
                                           "date_before", "ordering", "page")]
PAGES += [("/search/", "q"), ("/search/", "type"), ("/meetings/feed/", "q"), ("/meetings/feed/", "person"),
          ("/meetings.ics", "q"), ("/meetings.ics", "date_after"), ("/en/people/", "page")]


@pytest.mark.parametrize("path, name", listed_parameters() + PAGES, ids=lambda value: value)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=st.one_of(ANY_TEXT, JAPANESE))
@example(value="\x00")
@example(value="ᾀ" * 420)
@example(value="-" * 600)
@example(value="99999999999999999999")
@example(value='"')


def test_no_parameter_value_makes_a_server_error(client, path, name, value):
    cache.clear()  # the anonymous throttles count every example
    response = client.get(path, {name: value})
    assert response.status_code < 500, (path, name, value, response.content[:300])
    if response.status_code >= 400 and path.startswith("/api/"):
        assert response.json()["detail"]


MEETING_FIELDS = ["slug", "date", "date_precision", "kind", "status", "state", "body", "place", "title_ja", "title_en",
                  "notes_ja", "notes_en", "source", "attendees", "outcomes"]
ROW_FIELDS = {"attendees": ["position", "side", "person", "post", "label_ja", "label_en", "label_printed"],
              "outcomes": ["position", "voice", "text_ja", "text_en", "text_printed", "curator_note_ja",
                           "curator_note_en", "topics", "provisions", "en_unofficial"]}
ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
                        lambda children: st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3),
                        max_leaves=8)


@pytest.fixture
def curator_token(django_user_model):
    from tests.test_api_writes import curator

    return curator(django_user_model, "add_meeting", "change_meeting")


@pytest.mark.parametrize("field", MEETING_FIELDS + [f"{rows}.{name}" for rows, names in ROW_FIELDS.items() for name in names])
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=ANY_JSON)
@example(value="\x00")
@example(value=0)
@example(value=-(2**63))
@example(value=[[[[[]]]]])
def test_no_value_of_any_field_a_curator_writes_makes_a_server_error(client, curator_token, field, value):
    import json

    from tests.test_api_writes import NEW_MEETING

    data = json.loads(json.dumps(NEW_MEETING))
    data["attendees"] = data["attendees"][:1]
    if "." in field:
        rows, name = field.split(".")
        data[rows][0][name] = value
    else:
        data[field] = value
    for method, url in (("post", "/api/v1/meetings/"), ("patch", "/api/v1/meetings/2023-01-11-scc/")):
        response = getattr(client, method)(url, data if method == "post" else {field.split(".")[0]: data[field.split(".")[0]]},
                                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {curator_token}")
        assert response.status_code < 500, (method, field, value, response.content[:300])
