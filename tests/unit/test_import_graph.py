"""The layers import downward only: runtime -> channels -> bot -> {safety, privacy} -> settings.

Read from the source (every import statement, those inside functions too), so a back-reference
fails here before it becomes a cycle. privacy and safety stay free of Rasa and of each other.
Inside privacy, each part imports only the parts it is allowed, no module imports one that
imports it back, and only the top-level modules (vault.py, which wires the parts) see the Vault."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each layer may import from the project (besides itself).
MAY_IMPORT = {
    "settings": set(),
    "safety": {"settings"},
    "privacy": {"settings"},
    "bot": {"safety", "privacy", "settings"},
    "channels": {"bot", "safety", "privacy", "settings"},
    "runtime": {"channels", "bot", "safety", "privacy", "settings"},
}
PROJECT = set(MAY_IMPORT) | {"harness", "tests", "bench"}
# Libraries that belong to the conversation layers only.
RASA = {"rasa", "rasa_sdk", "sanic"}
PURE = {"safety", "privacy"}


# Inside privacy: what each part may import besides itself and the shared modules. The foundation
# (store, crypto) imports nothing above it; clinic is imported by no other part.
PRIVACY_PARTS = {
    "store": set(),
    "crypto": {"store"},
    # every part writes the audit trail; erasure is defined in compliance; codes go out through the outbox
    "subjects": {"store", "crypto", "compliance", "messaging"},
    "compliance": {"store", "crypto", "subjects"},
    "messaging": {"store", "crypto", "subjects", "compliance"},
    "clinic": {"store", "crypto", "subjects", "compliance"},
    "logs": set(),  # what a log may show of a record: it needs no other part
}
PRIVACY_SHARED = {"errors", "clock", "config"}  # imported by every part; they import no part


def layer_files(layer: str, root: Path) -> list[Path]:
    if layer == "settings":
        return [root / "settings.py"]
    return sorted((root / layer).rglob("*.py"))


def imported(path: Path, root: Path) -> set[str]:
    """The top-level names of every module `path` imports (relative imports resolved)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the file's own package
                names.add(path.relative_to(root).parts[0])
            elif node.module:
                names.add(node.module.split(".")[0])
    return names


def modules_imported(path: Path, root: Path) -> set[str]:
    """The dotted names of the modules `path` imports (`from a import b` names a.b when b is a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            folder = root.joinpath(*node.module.split("."))
            for alias in node.names:
                is_module = (folder / f"{alias.name}.py").exists() or (folder / alias.name / "__init__.py").exists()
                names.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return names


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def privacy_violations(root: Path = ROOT) -> list[str]:
    """Imports of one part of privacy by another that PRIVACY_PARTS does not allow."""
    found = []
    for path in layer_files("privacy", root):
        parts = path.relative_to(root / "privacy").with_suffix("").parts
        if len(parts) == 1 and parts[0] not in PRIVACY_SHARED:
            continue  # vault.py, cli.py, backup.py: the whole vault
        own = parts[0] if len(parts) > 1 else None
        allowed = PRIVACY_SHARED | ({own} | PRIVACY_PARTS[own] if own else set())
        for name in sorted(modules_imported(path, root)):
            if name.split(".")[0] != "privacy":
                continue
            part = name.split(".")[1] if "." in name else "privacy"  # "privacy" itself: the Vault
            if part not in allowed:
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


def import_cycles(root: Path = ROOT) -> list[list[str]]:
    """Cycles among the modules of privacy, each as the modules around it."""
    graph = {module_name(path, root): modules_imported(path, root) for path in layer_files("privacy", root)}
    cycles, done, stack = [], set(), []

    def visit(module: str) -> None:
        if module in stack:
            cycles.append(stack[stack.index(module) :] + [module])
            return
        if module in done:
            return
        stack.append(module)
        for name in sorted(graph[module] & set(graph)):
            visit(name)
        stack.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    return cycles


def violations(layer: str, root: Path = ROOT) -> list[str]:
    allowed = MAY_IMPORT[layer] | {layer}
    found = []
    for path in layer_files(layer, root):
        for name in sorted(imported(path, root)):
            if (name in PROJECT and name not in allowed) or (layer in PURE and name in RASA):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("layer", list(MAY_IMPORT))
def test_each_layer_imports_only_the_layers_below_it(layer):
    assert violations(layer) == []


def test_the_check_sees_a_back_reference_even_inside_a_function(tmp_path):
    module = tmp_path / "privacy" / "leak.py"
    module.parent.mkdir()
    module.write_text("from . import vault\n\ndef f():\n    from bot.actions import common\n    import rasa_sdk\n")
    assert violations("privacy", tmp_path) == ["privacy/leak.py imports bot", "privacy/leak.py imports rasa_sdk"]


def test_each_part_of_privacy_imports_only_the_parts_it_may():
    assert privacy_violations() == []


def test_no_module_of_privacy_imports_one_that_imports_it_back():
    assert import_cycles() == []


def test_the_privacy_checks_see_a_part_reaching_up_and_a_cycle(tmp_path):
    for folder in ("privacy", "privacy/store", "privacy/subjects"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "privacy" / "store" / "db.py").write_text("def f():\n    from privacy.subjects import people\n")
    (tmp_path / "privacy" / "subjects" / "people.py").write_text("from privacy.store.db import f\n")
    assert privacy_violations(tmp_path) == ["privacy/store/db.py imports privacy.subjects.people"]
    assert import_cycles(tmp_path) == [["privacy.store.db", "privacy.subjects.people", "privacy.store.db"]]


def test_every_part_of_privacy_has_its_rule():
    parts = {p.name for p in (ROOT / "privacy").iterdir() if (p / "__init__.py").exists()}
    assert parts == set(PRIVACY_PARTS), f"give {parts ^ set(PRIVACY_PARTS)} a place in PRIVACY_PARTS"


def test_every_package_of_the_project_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages <= PROJECT, f"give {packages - PROJECT} a place in MAY_IMPORT"
