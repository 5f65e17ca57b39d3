"""The house rules of issue 14, checked on the source (ast), for every app of the repository:

- no view, API view or form writes a model itself: it calls a service, which validates,
  audits and saves (a `.save(`, `.delete(`, `.create(`, `.bulk_create(`, or a queryset's
  `.update(` in views.py, api.py, forms.py, *_views.py, *_api.py, *_forms.py fails here);
- a service refuses only with `core.exceptions` (Invalid, Refused, Stale, NotNow), never with
  Django's ValidationError or PermissionDenied directly, so one exception handler and one
  form helper answer every refusal the same way.

A finding names file:line. The allow-lists below say why each exception is legitimate.
"""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# Apps whose findings are reported but do not fail yet (none: every app is converted).
PENDING_APPS: set[str] = set()

WRITES = {"save", "delete", "create", "bulk_create", "update", "get_or_create", "update_or_create"}
# `.update(` is also a dict's: it is a write only on a queryset or a manager.
QUERYSET_CALLS = {
    "objects",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "visible_to",
    "order_by",
    "annotate",
}

# (file, function, method) of the legitimate writes outside services.
ALLOWED_WRITES: set[tuple[str, str, str]] = set()

# Service modules besides each app's services.py: they hold rules and writes too.
SERVICE_MODULES = {
    "children/imports.py",
    "people/tokens.py",
    "people/twofactor.py",
}
REFUSALS = {"ValidationError", "PermissionDenied"}
# (file, function) of forms' and field validators' checks kept in a service module: they raise
# Django's ValidationError as validators do (core.exceptions.Invalid is one as well).
ALLOWED_REFUSALS: set[tuple[str, str]] = set()


def own_apps() -> list[Path]:
    """The folders of the Django apps whose code lives in this repository."""
    return sorted(
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    )


# The pieces that grew into packages of the same name (children/views/concerns.py).
PACKAGES = {"views", "api", "forms", "services", "policy", "filters", "serializers"}


def _piece(path: Path) -> str:
    """The piece a module belongs to: its package's name or its own (views/concerns.py → views)."""
    return path.relative_to(ROOT).parts[1].removesuffix(".py")


def _is_page_module(path: Path) -> bool:
    return _piece(path) in {"views", "api", "forms"}


def _modules(select) -> list[Path]:
    """The modules of every app, and those of its packages named for a piece."""
    found = []
    for app in own_apps():
        packages = [path for package in sorted(PACKAGES) for path in app.glob(f"{package}/*.py")]
        found += [path for path in sorted(app.glob("*.py")) + packages if select(path)]
    return found


def _functions(tree):
    """Each node with the name of the function (or class) it is written in."""
    found = []

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            name = where
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = child.name
            found.append((child, name))
            visit(child, name)

    visit(tree, "<module>")
    return found


def _receiver_is_queryset(node, querysets=frozenset()) -> bool:
    """Whether `x` in `x.update(…)` is a manager or a queryset (x.objects, ….filter(…), or a
    name the module assigned one to)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_CALLS or node.attr.endswith("_set"):
                return True
            node = node.value
            continue
        return isinstance(node, ast.Name) and node.id in querysets


def _queryset_names(tree) -> set[str]:
    """Names the module assigns a queryset to (`chosen = mine.filter(…)`), in order."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _receiver_is_queryset(node.value, names):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def writes(path: Path) -> list[tuple[str, str, str]]:
    """(file:line, function, method) of each model write in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    querysets = _queryset_names(tree)
    found = []
    for node, where in _functions(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in WRITES:
            continue
        if method == "update" and not _receiver_is_queryset(node.func.value, querysets):
            continue
        if (rel, where, method) in ALLOWED_WRITES:
            continue
        found.append((f"{rel}:{node.lineno}", where, method))
    return found


def refusals(path: Path) -> list[tuple[str, str]]:
    """(file:line, function) of each `raise ValidationError`/`PermissionDenied` in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for node, where in _functions(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
        if name in REFUSALS and (rel, where) not in ALLOWED_REFUSALS:
            found.append((f"{rel}:{node.lineno}", where))
    return found


def _app_of(finding) -> str:
    return finding[0].split("/", 1)[0]


def _split(findings):
    failing = [f for f in findings if _app_of(f) not in PENDING_APPS]
    pending = [f for f in findings if _app_of(f) in PENDING_APPS]
    return failing, pending


def test_no_view_api_or_form_writes_a_model():
    findings = [w for path in _modules(_is_page_module) for w in writes(path)]
    failing, pending = _split(findings)
    if pending:
        print("pending (PENDING_APPS):", *pending, sep="\n  ")
    assert not failing, "move these writes into a service:\n" + "\n".join(
        f"  {where} in {function}(): .{method}(" for where, function, method in failing
    )


def test_services_refuse_only_with_core_exceptions():
    def is_service(path):
        rel = path.relative_to(ROOT).as_posix()
        return _piece(path) == "services" or rel in SERVICE_MODULES

    findings = [r for path in _modules(is_service) for r in refusals(path)]
    failing, pending = _split(findings)
    if pending:
        print("pending (PENDING_APPS):", *pending, sep="\n  ")
    assert not failing, "raise core.exceptions (Invalid, Refused) instead:\n" + "\n".join(
        f"  {where} in {function}()" for where, function in failing
    )


def test_the_checks_find_what_they_look_for(tmp_path):
    """The walkers are not blind: a planted write and a planted refusal are found, a dict's
    update is not."""
    (tmp_path / "views.py").write_text(
        "def page(request, form, data):\n"
        "    data.update(a=1)\n"
        "    form.save()\n"
        "    chosen = Child.objects.filter(pk=1)\n"
        "    chosen.update(name='x')\n"
        "    Child.objects.create(name='x')\n"
        "    raise ValidationError('no')\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        methods = [method for _where, _function, method in writes(tmp_path / "views.py")]
        raised = refusals(tmp_path / "views.py")
    finally:
        ROOT = saved
    assert methods == ["save", "update", "create"]
    assert raised == [("views.py:7", "page")]
