"""Versions of a record as a curator loaded it, so that a save made from a stale copy is refused
with what changed since (no lost updates, in the admin and the API alike).

A version is a tag: a hash of the record as shown (the API's representation, or the admin's
record with its inline rows). The shown state is remembered in the cache under its tag for a
while, so that a refusal can say which fields others changed since; when it has expired, the
refusal still stands and says so.
"""

import hashlib
import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder

KEPT_FOR = 7 * 24 * 3600  # seconds a shown version is remembered


def tag_of(state):
    """The version tag of a record's state (any JSON-able value)."""
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def remember(state):
    """Tag a state the curator is shown, and keep it for a later comparison."""
    tag = tag_of(state)
    cache.set(f"record-version:{tag}", state, KEPT_FOR)
    return tag


def recall(tag):
    return cache.get(f"record-version:{tag}")


def changes(before, after, path=""):
    """Where `after` differs from `before`: ["title_en", "outcomes 3: text_en", "attendees: 2 rows → 3"]."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            found += changes(before.get(key), after.get(key), f"{path}{key}" if not path else f"{path}: {key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and all(isinstance(row, dict) for row in before + after):
        if len(before) != len(after):
            return [f"{path}: {len(before)} rows → {len(after)}"]
        found = []
        for number, (old, new) in enumerate(zip(before, after), start=1):
            found += changes(old, new, f"{path} {old.get('position', number)}")
        return found
    return [] if before == after else [path or "the record"]


def stale_message(loaded_tag, current):
    """Why a save from the version `loaded_tag` is refused, now that the record is `current`."""
    loaded = recall(loaded_tag)
    if loaded is None:
        return ("This record was changed by someone else since you loaded it. Load it again, "
                "apply your edits to the current version, and save.")
    return ("This record was changed by someone else since you loaded it: "
            + "; ".join(changes(loaded, current)) + ". Load it again, apply your edits to the current version, and save.")
