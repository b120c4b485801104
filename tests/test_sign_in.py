"""Signing in to the admin: repeated wrong passwords lock that account from that address for a
cool-off, never for good and never from elsewhere; each lockout is logged."""

import datetime
import logging

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 2023"
ATTACKER, CURATOR_HOME = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_user("hanako", password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(client, password, address, username="hanako"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password},
                       REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def test_five_wrong_passwords_lock_the_account_from_that_address_even_with_the_right_one(client, curator, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [sign_in(client, f"guess {n}", ATTACKER).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the login form again four times, then locked
    locked = sign_in(client, PASSWORD, ATTACKER)
    assert locked.status_code == 429 and int(locked["Retry-After"]) == 15 * 60
    html = locked.content.decode()
    assert "for 15 minutes" in html and "sign in from elsewhere" in html and '<html lang="en">' in html


def test_the_curator_still_signs_in_from_another_address_while_an_attacker_is_locked(client, curator):
    for n in range(6):
        sign_in(client, f"guess {n}", ATTACKER)
    response = sign_in(client, PASSWORD, CURATOR_HOME)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_lock_ends_by_itself_after_the_cool_off(client, curator):
    from axes.models import AccessAttempt

    for n in range(5):
        sign_in(client, f"guess {n}", ATTACKER)
    assert sign_in(client, PASSWORD, ATTACKER).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16))
    assert sign_in(client, PASSWORD, ATTACKER).status_code == 302


def test_a_success_clears_the_count_of_failures(client, curator):
    for n in range(4):
        sign_in(client, f"guess {n}", CURATOR_HOME)
    assert sign_in(client, PASSWORD, CURATOR_HOME).status_code == 302
    client.logout()
    assert [sign_in(client, f"typo {n}", CURATOR_HOME).status_code for n in range(4)] == [200] * 4


def test_a_lockout_is_logged_with_the_account_and_the_address(client, curator, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for n in range(5):
            sign_in(client, f"guess {n}", ATTACKER)
    locked = [record.getMessage() for record in caplog.records if "Locking out" in record.getMessage()]
    assert locked and "hanako" in locked[0] and ATTACKER in locked[0]


def test_a_password_checked_outside_a_request_is_no_sign_in_to_lock(client, curator):
    from django.contrib.auth import authenticate

    assert authenticate(username="hanako", password=PASSWORD) == curator  # a shell, a command
    assert client.login(username="hanako", password=PASSWORD)


def test_a_forwarded_address_from_an_untrusted_client_does_not_unlock_it(client, curator):
    for n in range(5):
        sign_in(client, f"guess {n}", ATTACKER)
    response = client.post("/admin/login/?next=/admin/", {"username": "hanako", "password": PASSWORD},
                           REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=CURATOR_HOME)
    assert response.status_code == 429
