"""The page's language and its counterpart, for records that carry both."""

from django.utils.translation import get_language


def languages():
    """(the page's language, the other one): ("ja", "en") or ("en", "ja")."""
    first = "en" if (get_language() or "ja").startswith("en") else "ja"
    return first, "ja" if first == "en" else "en"


def in_language(record, field):
    """(text, lang) of `field` in the page's language, or in the other when that is empty."""
    first, other = languages()
    text = getattr(record, f"{field}_{first}", "") or ""
    if text:
        return text, first
    return getattr(record, f"{field}_{other}", "") or "", other


def choice_label(label, language=None):
    """One half of a bilingual choice label such as "首脳会談 / summit meeting": the page's, or
    `language`'s."""
    japanese, slash, english = str(label).partition("/")
    if not slash:
        return str(label)
    return english.strip() if (language or languages()[0]) == "en" else japanese.strip()
