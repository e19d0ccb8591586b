"""The size check (harness/sizes.py) finds what is over the limit and keeps its list of known
offenders from going stale."""

from harness import sizes


def test_a_long_module_and_a_long_function_are_offenders(tmp_path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "long.py").write_text("def f():\n" + "    x = 1\n" * 61 + "\n" * 250)
    (tmp_path / "bot" / "short.py").write_text("def g():\n    return 1\n")
    assert sizes.offenders(tmp_path) == {"bot/long.py": 312, "bot/long.py:f": 62}


def test_migrations_are_exempt(tmp_path):
    (tmp_path / "privacy" / "store" / "migrations").mkdir(parents=True)
    (tmp_path / "privacy" / "store" / "migrations" / "m1.py").write_text("x = 1\n" * 400)
    assert sizes.offenders(tmp_path) == {}


def test_a_new_offender_and_a_stale_entry_both_fail(monkeypatch):
    monkeypatch.setattr(sizes, "KNOWN", {"bot/split.py": "to split"})
    assert sizes.problems({"bot/split.py": 301}) == []
    assert sizes.problems({"bot/split.py": 301, "bot/new.py:f": 70}) == ["bot/new.py:f: 70 lines (limit 60)"]
    assert sizes.problems({}) == ["bot/split.py is within the limit now: take it off harness/sizes.py's KNOWN"]
