"""Showing bilingual records: the page's language first, the other beside it, each with its lang."""

from django import template
from django.utils.html import format_html

from alliance.language import choice_label, in_language, languages
from alliance.models import format_date
from alliance.search.highlight import highlight

register = template.Library()


@register.simple_tag
def one(record, field):
    """`field` in the page's language (the other when it is empty), in a span with its lang."""
    text, language = in_language(record, field)
    return format_html('<span lang="{}">{}</span>', language, text)


@register.simple_tag
def both(record, field, suffix=""):
    """`field` in the page's language (with `suffix`, e.g. an abbreviation), then in the other
    (`.other`), each with its lang."""
    text, language = in_language(record, field)
    other = "en" if language == "ja" else "ja"
    other_text = getattr(record, f"{field}_{other}", "") or ""
    first = format_html('<span lang="{}">{}</span>{}', language, text, suffix)
    if not other_text or other_text == text:
        return first
    return format_html('{} <span class="other" lang="{}">{}</span>', first, other, other_text)


@register.simple_tag
def pick(record, field):
    """The plain text of `field` in the page's language (the other when it is empty)."""
    return in_language(record, field)[0]


@register.filter
def choice(label):
    """The page's half of a bilingual choice label "首脳会談 / summit meeting"."""
    return choice_label(label)


@register.filter
def when(record, prefix="date"):
    """A record's date at its precision: 2023-01-11, 2023-04 (never an invented day) or 2023."""
    return format_date(getattr(record, prefix), getattr(record, f"{prefix}_precision"))


@register.simple_tag
def other_language():
    return languages()[1]



@register.simple_tag
def marked(record, field, query):
    """`field` with the query's matches marked: in the page's language when it matches there, in
    the other language when only that matches, else unmarked in the page's language."""
    first, other = languages()
    for language in (first, other):
        text = getattr(record, f"{field}_{language}", "") or ""
        found = highlight(text, query) if query is not None and not query.is_empty else ""
        if found:
            return format_html('<span lang="{}">{}</span>', language, found)
    text, language = in_language(record, field)
    return format_html('<span lang="{}">{}</span>', language, text)


@register.simple_tag
def paragraphs(record, field):
    """`field` as paragraphs: the page's language, then the other (`.other`), each with its lang."""
    text, language = in_language(record, field)
    other = "en" if language == "ja" else "ja"
    other_text = getattr(record, f"{field}_{other}", "") or ""
    if not other_text or other_text == text:
        return format_html('<p lang="{}">{}</p>', language, text)
    return format_html('<p lang="{}">{}</p><p class="other" lang="{}">{}</p>', language, text, other, other_text)


@register.filter
def count_of(results):
    """A search's count as shown: "≈540,000" when it was estimated, "1,234" when exact."""
    count = results.count()
    if getattr(results, "count_estimated", False):
        return f"≈{approximately(count)}"
    return f"{count:,}"


@register.filter
def approximately(count):
    """An estimated count to two significant figures: 12,345 → 12,000."""
    count = int(count)
    if count < 100:
        return f"{count:,}"
    digits = len(str(count)) - 2
    return f"{round(count, -digits):,}"
