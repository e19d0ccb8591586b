"""The layers import downward only: runtime -> channels -> bot -> {safety, privacy} -> settings.

Read from the source (every import statement, those inside functions too), so a back-reference
fails here before it becomes a cycle. privacy and safety stay free of Rasa and of each other."""

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


def test_every_package_of_the_project_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages <= PROJECT, f"give {packages - PROJECT} a place in MAY_IMPORT"
