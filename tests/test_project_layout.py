"""Every app's tests run and every app ships: an app folder missing from pytest's
`testpaths` or from the packages of `pyproject.toml` fails here (social and concerns were
once missing from both, so their tests never ran and a non-editable install lacked them)."""

import tomllib
from pathlib import Path

from django.apps import apps
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
IGNORED = {".venv", ".git", "var", "bench", "node_modules", "test-artifacts", "build"}


def _test_folders() -> set[str]:
    """Top-level folders that hold test modules anywhere below them."""
    found = set()
    for path in ROOT.glob("*/**/test_*.py"):
        top = path.relative_to(ROOT).parts[0]
        if top not in IGNORED and not top.startswith("."):
            found.add(top)
    return found


def _own_apps() -> set[str]:
    """Shouhu's own Django apps (the ones whose code lives in this repository)."""
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    }


def test_every_folder_with_tests_is_collected():
    testpaths = set(PYPROJECT["tool"]["pytest"]["ini_options"]["testpaths"])
    missing = _test_folders() - testpaths
    assert not missing, f"add {sorted(missing)} to [tool.pytest.ini_options] testpaths"


def test_every_app_is_collected():
    testpaths = set(PYPROJECT["tool"]["pytest"]["ini_options"]["testpaths"])
    missing = _own_apps() - testpaths
    assert not missing, f"add {sorted(missing)} to [tool.pytest.ini_options] testpaths"


def test_every_app_is_packaged():
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(where=str(ROOT), include=include))
    missing = {app for app in _own_apps() | {"shouhu"} if app not in packaged}
    assert not missing, f"add {sorted(missing)} to [tool.setuptools.packages.find] include"
    # The apps' sub-packages ship too (migrations, management commands).
    for app in _own_apps():
        for sub in ("migrations", "management.commands"):
            if (ROOT / app / Path(*sub.split("."))).is_dir():
                assert f"{app}.{sub}" in packaged, f"{app}.{sub} is not packaged"


def test_the_checks_fail_when_an_app_is_left_out():
    """The checks above can fail: a folder with tests that is not collected is found."""
    testpaths = set(PYPROJECT["tool"]["pytest"]["ini_options"]["testpaths"])
    assert _test_folders() - (testpaths - {"social"}) == {"social"}
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(where=str(ROOT), include=[p for p in include if p != "social*"]))
    assert "social" not in packaged
