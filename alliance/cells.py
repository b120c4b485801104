"""CSV cells that a spreadsheet shows and never runs: OWASP's rule against CSV injection."""

FORMULA_STARTS = frozenset("=+-@\t\r")  # what a cell must not start with


def neutralized(value):
    """A cell as text, with a leading apostrophe where a spreadsheet would read a formula: a
    record's text is shown, never run. Every CSV the API writes passes its cells through it."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text
