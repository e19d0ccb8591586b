"""The development .env gets fresh secrets, and existing values are kept."""

import stat

from runtime.envfile import GENERATED, ensure_env_file


def test_a_new_env_file_gets_every_secret_and_is_private(tmp_path):
    path = tmp_path / ".env"
    assert sorted(ensure_env_file(path)) == sorted(GENERATED)
    values = dict(line.split("=", 1) for line in path.read_text().splitlines())
    assert all(len(values[name]) >= 32 for name in GENERATED)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_values_are_kept_and_only_missing_ones_added(tmp_path):
    path = tmp_path / ".env"
    path.write_text("ACTION_SERVER_TOKEN=mine\nLOG_LEVEL=DEBUG")
    added = ensure_env_file(path)
    assert "ACTION_SERVER_TOKEN" not in added and added
    text = path.read_text()
    assert "ACTION_SERVER_TOKEN=mine\nLOG_LEVEL=DEBUG\n" in text
    assert ensure_env_file(path) == []


def test_two_env_files_get_different_secrets(tmp_path):
    ensure_env_file(tmp_path / "a")
    ensure_env_file(tmp_path / "b")
    assert (tmp_path / "a").read_text() != (tmp_path / "b").read_text()
