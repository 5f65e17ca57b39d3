"""Every app has the same inner layout (README "How to add"): each kind of piece lives in the
module named for it, so a newcomer knows where to look in any app.

| piece                          | lives in                               |
|--------------------------------|----------------------------------------|
| models, querysets              | models.py                              |
| changes (audited, atomic)      | services.py (or services/)             |
| who may do what, domain rules  | policy.py (or policy/) where there are |
| forms (they only parse)        | forms.py (or forms/)                   |
| filter sets                    | filters.py (or filters/)               |
| serializers                    | serializers.py (or serializers/)       |
| viewsets and API views         | api.py (or api/)                       |
| pages                          | views.py (or views/)                   |
| addresses                      | urls.py                                |

A piece that grows becomes a package of the same name (children/views/concerns.py), never a
sibling module named after it (no concern_views.py beside views.py).
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# base-class name suffix → the module (or package) it must be defined in
HOME_OF = {
    "Serializer": "serializers",
    "FilterSet": "filters",
    "Form": "forms",
    "ModelForm": "forms",
    "ViewSet": "api",
    "APIView": "api",
}
PARTS = {"models", "services", "policy", "forms", "filters", "serializers", "api", "views", "urls"}


def _our_apps():
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(ROOT) and path.parent == ROOT:
            yield config.name, path


def _modules(app_path: Path):
    for path in sorted(app_path.rglob("*.py")):
        parts = path.relative_to(app_path).parts
        if parts[0] in {"migrations", "tests", "management", "templatetags"}:
            continue
        yield path, parts


def _part_of(parts) -> str:
    """The piece a module belongs to: its package's name or its own (views/concerns.py → views)."""
    return parts[0].removesuffix(".py")


def _misplaced():
    for _app, app_path in _our_apps():
        for path, parts in _modules(app_path):
            part = _part_of(parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                for base in node.bases:
                    name = ast.unparse(base).rsplit(".", 1)[-1]
                    home = next((h for k, h in HOME_OF.items() if name.endswith(k)), None)
                    if home and part != home and not (home == "forms" and part == "admin"):
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        yield f"{where} {node.name} ({name}) → {home}"


def test_each_piece_lives_in_the_module_named_for_it():
    assert list(_misplaced()) == []


@pytest.mark.parametrize("app", [name for name, _ in _our_apps()])
def test_no_module_is_a_sibling_named_after_a_piece(app):
    app_path = Path(apps.get_app_config(app.rsplit(".", 1)[-1]).path)
    siblings = [
        p.name
        for p in app_path.glob("*.py")
        if p.stem not in PARTS
        and any(p.stem.startswith(f"{part}_") or p.stem.endswith(f"_{part}") for part in PARTS)
    ]
    assert siblings == [], f"{app}: make these a package of the piece they belong to"


# core holds the shared pieces: its two pages are routed by shouhu/urls.py, and its forms are
# bases and the login form, which change nothing of its own.
SHARED = {"core"}


def _has(app_path: Path, part: str) -> bool:
    return (app_path / f"{part}.py").exists() or (app_path / part / "__init__.py").exists()


def test_every_app_with_pages_has_its_addresses():
    missing = [
        app
        for app, path in _our_apps()
        if app not in SHARED and _has(path, "views") and not _has(path, "urls")
    ]
    assert missing == [], "pages without urls.py"


def test_every_app_whose_records_are_edited_has_services():
    """An app with models and forms edits its records: the changes are its services'."""
    missing = [
        app
        for app, path in _our_apps()
        if app not in SHARED and _has(path, "models") and _has(path, "forms")
        if not _has(path, "services")
    ]
    assert missing == [], "forms that edit models without services.py"
