"""oversight reads every app and is imported by none (DESIGN: dependencies point one way)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "members", "study", "attendance", "essays", "speakers")
ORDER = {"members": 0, "study": 1, "attendance": 2, "essays": 2, "speakers": 2, "oversight": 3}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_app_imports_oversight():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "oversight" in _imports(path) and app != "config"
    ]
    # config composes the URL map and settings: it names oversight, the apps never do.
    assert offenders == []


def test_dependencies_point_one_way():
    upward = [
        (str(path.relative_to(ROOT)), name)
        for app, level in ORDER.items()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for name in _imports(path)
        if name in ORDER and ORDER[name] > level
    ]
    assert upward == []
