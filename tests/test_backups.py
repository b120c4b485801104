"""A backup taken while the site runs restores to identical data, on SQLite and PostgreSQL, and a
restore that cannot be done says why and leaves the database as it was."""

import pytest

from tests.scratch import manage, scratch_database

# Every curated table and its history, row ids included (a restore keeps them), and the users
SNAPSHOT = ["dumpdata", "--indent", "0", "alliance", "meetings", "guidelines", "auth.user"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("backups"), "backups") as url:
        env = {"DATABASE_URL": url, "DEBUG": "1"}
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "load_curated")
        yield env


def test_a_restore_gives_back_exactly_the_data_of_the_backup(site, tmp_path):
    before = manage(site, *SNAPSHOT).stdout
    backup = tmp_path / "backup"
    written = manage(site, "backup_database", "--output", str(backup)).stdout
    assert str(backup) in written and backup.stat().st_size > 100_000
    # a curator's day after the backup: a meeting deleted, an item rewritten, a user added
    manage(site, "shell", "--verbosity", "0", "-c", (
        "from meetings.models import Meeting, Outcome; from django.contrib.auth.models import User; "
        "Meeting.objects.get(slug='2023-01-11-scc').delete(); "
        "o = Outcome.objects.get(meeting__slug='2022-05-23-summit', position=1); o.text_en = 'changed'; o.save(); "
        "User.objects.create_user('after-the-backup')"))
    assert manage(site, *SNAPSHOT).stdout != before
    restored = manage(site, "restore_database", str(backup), "--yes")
    assert "restored" in restored.stdout
    assert manage(site, *SNAPSHOT).stdout == before
    # and the search index came back with the records it indexes
    found = manage(site, "shell", "--verbosity", "0", "-c",
                   "from alliance.search.service import search; print([m.slug for m in search(query='尖閣')[:50]])").stdout
    assert "2023-01-11-scc" in found


def test_a_restore_asks_for_yes_and_refuses_what_is_not_a_backup(site, tmp_path):
    backup = tmp_path / "kept"
    manage(site, "backup_database", "--output", str(backup))
    refused = manage(site, "restore_database", str(backup), check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a backup at all")
    before = manage(site, *SNAPSHOT).stdout
    failed = manage(site, "restore_database", str(junk), "--yes", check=False)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert manage(site, *SNAPSHOT).stdout == before
    missing = manage(site, "restore_database", str(tmp_path / "nowhere"), "--yes", check=False)
    assert missing.returncode != 0 and "no such file" in missing.stderr


def test_a_backup_never_overwrites_a_file(site, tmp_path):
    backup = tmp_path / "once"
    manage(site, "backup_database", "--output", str(backup))
    again = manage(site, "backup_database", "--output", str(backup), check=False)
    assert again.returncode != 0 and "exists already" in again.stderr
