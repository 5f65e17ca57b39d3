"""The dependency direction of the apps is a test (issue 14; docs/architecture.md §2).

Each app may import itself and the apps below it in `ORDER`, nothing above it or beside it.
Every import counts, those inside functions too, and the migrations follow the same rule.
`shouhu` (settings, URLs, the API router), `demo`, `bench` and `tests` sit on top of every app
and may import anything; so do an app's own tests (`<app>/tests/`): they check the app with
the others around it (the scoping of `core` needs areas and accounts). README's "Layout" line
says the same order: the test reads it.

A second rule: no app imports another app's private names (leading underscore); what another
app needs is made public there first.
"""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# The one statement of the order, highest first; apps on one level must not import each other.
# `notifications` is being split out of `care`; the test tolerates its absence.
ORDER = (
    ("stats", "concerns", "outbox", "registry"),
    ("villagefiles", "referrals"),
    ("rounds", "social", "applications"),
    ("relief",),
    ("care",),
    ("notifications",),
    ("children",),
    ("jobs",),
    ("people",),
    ("areas",),
    ("core",),
)
TOP = {"shouhu", "demo", "bench", "tests"}


def _own_apps() -> set[str]:
    """Shouhu's own Django apps (the ones whose code lives in this repository)."""
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    }


def _rank() -> dict[str, int]:
    """Each app's level: 0 for the lowest (core)."""
    return {app: level for level, names in enumerate(reversed(ORDER)) for app in names}


def _modules(app: str):
    return sorted((ROOT / app).rglob("*.py"))


def _is_test_module(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts[1:-1] or parts[-1].startswith(("test_", "conftest"))


def _imports(tree: ast.AST, app: str):
    """(line, top-level package, module, names) of every import of the module, relative
    imports resolved to the module's own app."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0], alias.name, []
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if node.level:
                yield node.lineno, app, node.module or "", names
            else:
                yield node.lineno, node.module.split(".")[0], node.module, names


def _against_order(app: str, source: str, where: str) -> list[str]:
    """The imports of one module of `app` that point at an app not below it."""
    rank = _rank()
    found = []
    for line, target, _module, _names in _imports(ast.parse(source, filename=where), app):
        if target == app:
            continue
        if target in TOP or (target in rank and rank[target] >= rank[app]):
            found.append(f"{where}:{line}: {app} imports {target}")
    return found


def _violations():
    rank = _rank()
    found = []
    for app in sorted(_own_apps() - TOP):
        assert app in rank, f"{app} is not in ORDER (tests/test_dependencies.py): place it"
        for path in _modules(app):
            if not _is_test_module(path):
                source = path.read_text(encoding="utf-8")
                found += _against_order(app, source, str(path.relative_to(ROOT)))
    return found


def test_no_app_imports_against_the_order():
    found = _violations()
    assert not found, (
        "imports against the dependency direction (docs/architecture.md §2):\n" + "\n".join(found)
    )


def _private_names(app: str, source: str, where: str) -> list[str]:
    """Another app's private names that one module of `app` imports or reads."""
    rank = _rank()
    tree = ast.parse(source, filename=where)
    found = []
    other_modules = {}  # local name → another app's module or name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level:
            owner = node.module.split(".")[0]
            if owner == app or owner not in rank:
                continue
            for alias in node.names:
                if _private(alias.name) or any(map(_private, node.module.split("."))):
                    found.append(f"{where}:{node.lineno}: {node.module}.{alias.name}")
                other_modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                owner = alias.name.split(".")[0]
                if owner == app or owner not in rank:
                    continue
                if any(map(_private, alias.name.split("."))):
                    found.append(f"{where}:{node.lineno}: {alias.name}")
                if alias.asname:
                    other_modules[alias.asname] = alias.name
                else:
                    other_modules[owner] = owner
    for node in ast.walk(tree):
        # `services._helper` or `children.services._helper`: the last attribute is private.
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in other_modules:
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def _private_uses():
    found = []
    for app in sorted(_own_apps() - TOP):
        for path in _modules(app):
            if not _is_test_module(path):  # an app's tests may reach into what they test
                source = path.read_text(encoding="utf-8")
                found += _private_names(app, source, str(path.relative_to(ROOT)))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_app_imports_another_apps_private_names():
    found = _private_uses()
    assert not found, "private names of another app:\n" + "\n".join(found)


def test_the_readme_states_the_same_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("### Layout", 1)[1]
    stated = re.search(r"`([a-z, →]+→ core)`", layout.replace("\n", " "))
    assert stated, "README's Layout section must state the order as `… → core`"
    present = _own_apps()
    readme_order = [
        tuple(app for app in (name.strip() for name in level.split(",")) if app in present)
        for level in stated.group(1).split("→")
    ]
    test_order = [tuple(app for app in level if app in present) for level in ORDER]
    assert [level for level in readme_order if level] == [lvl for lvl in test_order if lvl]


def test_the_order_names_every_app():
    assert _own_apps() - TOP <= set(_rank()), "place every app in ORDER"


def test_the_checks_see_what_they_are_for():
    """An import inside a function, one beside the app and a private name all show, with
    their line; imports of the app itself and of lower apps pass."""
    source = (
        "from areas.models import Area\n"
        "from . import models\n"
        "from children import services\n"
        "def f():\n"
        "    from relief.models import Measure\n"
        "    from care._private import x\n"
        "    return services._helper(), services.public()\n"
    )
    assert _against_order("care", source, "care/x.py") == ["care/x.py:5: care imports relief"]
    assert _against_order("rounds", "import social.models\n", "rounds/x.py") == [
        "rounds/x.py:1: rounds imports social"
    ]
    assert _private_names("care", source, "care/x.py") == ["care/x.py:7: services._helper"]
    assert _private_names("relief", source, "relief/x.py") == [
        "relief/x.py:6: care._private.x",
        "relief/x.py:7: services._helper",
    ]
