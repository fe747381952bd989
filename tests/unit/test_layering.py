"""The domain stays plain Python: it imports the standard library and itself, nothing else.

import-linter's contracts forbid the known third-party packages; this check closes the gap for
any package added later.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import domain

DOMAIN_DIR = Path(domain.__file__).parent


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"domain"}
    offenders = {
        f"{path.relative_to(DOMAIN_DIR.parent)}: {name}"
        for path in DOMAIN_DIR.rglob("*.py")
        for name in imported_top_level_modules(path) - allowed
    }
    assert not offenders, offenders


def test_the_check_sees_a_third_party_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import pydantic\nfrom sqlmodel import Field\nfrom . import sibling\n")
    assert imported_top_level_modules(module) == {"pydantic", "sqlmodel"}
