"""The `person` filter takes any form of a name that the search finds a person by; a name that
several people share is refused with their names and slugs, so the reader can pick one."""

import pytest

pytestmark = pytest.mark.django_db

HAMADA = {"2022-09-14-defense-ministers", "2023-01-11-scc", "2023-01-12-defense-ministers"}
BLINKEN = {"2023-01-11-scc"}


def meetings(client, person):
    response = client.get("/api/v1/meetings/", {"person": person, "page_size": 100}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    return {meeting["slug"] for meeting in response.json()["results"]}


@pytest.mark.parametrize("person, expected", [
    ("hamada-yasukazu", HAMADA),  # the slug
    ("浜田靖一", HAMADA),  # the name in Japanese
    ("濱田靖一", HAMADA),  # with the old form of 浜
    ("Hamada Yasukazu", HAMADA),  # romanized, family name first
    ("Hamada", HAMADA),  # the surname alone: nobody else has it
    ("hamada", HAMADA),  # any case
    ("ＨＡＭＡＤＡ", HAMADA),  # full width
    ("ハマダ", HAMADA),  # the reading
    ("Hayashi", BLINKEN),
    ("ブリンケン", BLINKEN),  # a U.S. name in katakana
    ("プリンケン", BLINKEN),  # the scan's misreading of it
    ("blinken", BLINKEN),
    ("Colin H. Kahl", {"2023-04-vice-ministerial"}),
    ('"Kahl"', {"2023-04-vice-ministerial"}),  # query syntax in a name is read as the name
])
def test_any_form_of_a_name_selects_the_person(client, person, expected):
    assert meetings(client, person) == expected


def test_a_name_shared_by_several_people_lists_them(client):
    response = client.get("/api/v1/meetings/", {"person": "岸"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [error] = response.json()["errors"]["person"]
    assert "several people" in error and "kishi-nobuo" in error and "kishida-fumio" in error


def test_the_full_name_picks_one_of_the_people_it_is_part_of(client):
    assert meetings(client, "岸信夫") == {"2022-05-04-defense-ministers"}
    assert meetings(client, "Kishida") == {"2022-05-23-summit", "2022-06-27-summit", "2022-11-13-summit",
                                           "2023-01-13-summit", "2023-05-18-summit"}


def test_an_unknown_name_is_a_400_that_says_so_on_the_page_too(client):
    response = client.get("/en/meetings/", {"person": "Nobody Atall"})
    assert response.status_code == 400 and "No person is named" in response.content.decode()
