"""How the code is layered: the search engine imports no app; lists go through one FilterSet."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "alliance" / "search"
APPS = ("meetings", "guidelines", "documents", "alliance.models", "alliance.api", "alliance.views", "alliance.site_search")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_search_engine_imports_no_app():
    offenders = {f"{path.relative_to(ENGINE)}: {module}" for path in ENGINE.rglob("*.py")
                 for module in imported_modules(path) if module.startswith(APPS)}
    assert offenders == set()
