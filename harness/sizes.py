"""The size check of `make lint`: modules over 300 lines and functions over 60 lines.

The limit is a signal to split by responsibility. A few known offenders wait for their split and
are listed with the reason; the check fails on a new offender, and on a listed one that is no
longer over the limit (so that the list only shrinks). Migrations are exempt.
Run: python -m harness.sizes
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from harness.servers import PROJECT_ROOT

MODULE_LINES = 300
FUNCTION_LINES = 60
CHECKED = ("settings.py", "bot", "channels", "privacy", "safety", "runtime", "harness", "tests", "bench")
# Offender -> why it is still here.
KNOWN = {"privacy/store/schema.py": "the table definitions: one thing, kept together"}


def files(root: Path) -> list[Path]:
    found = []
    for name in CHECKED:
        path = root / name
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [p for p in found if "migrations" not in p.parts]


def offenders(root: Path = PROJECT_ROOT) -> dict[str, int]:
    """`path` or `path:function` -> its length in lines, for each one over the limit."""
    found = {}
    for path in files(root):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MODULE_LINES:
            found[name] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (lines := node.end_lineno - node.lineno + 1) > FUNCTION_LINES:
                    found[f"{name}:{node.name}"] = lines
    return found


def problems(found: dict[str, int]) -> list[str]:
    new = [
        f"{name}: {lines} lines (limit {FUNCTION_LINES if ':' in name else MODULE_LINES})"
        for name, lines in sorted(found.items())
        if name not in KNOWN
    ]
    gone = [
        f"{name} is within the limit now: take it off harness/sizes.py's KNOWN"
        for name in sorted(KNOWN)
        if name not in found
    ]
    return new + gone


def main() -> int:
    found = offenders()
    for name, lines in sorted(found.items()):
        if name in KNOWN:
            print(f"{name}: {lines} lines, known: {KNOWN[name]}")
    failures = problems(found)
    for line in failures:
        print(line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
