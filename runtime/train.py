"""Trains the model when its inputs changed, keyed by a content hash (not timestamps).

The model for a given config, domain and training data is models/<hash>.tar.gz;
`make run` and the test suite both call this, so each set of inputs is trained once. The
emergency backstop (safety/backstop.py) is trained here too, once per version of its data.
Run: python -m runtime.train   (prints the model's path)
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from safety import backstop
from settings import MODELS_DIR, PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config.yml"
DOMAIN = PROJECT_ROOT / "bot" / "domain"
DATA = PROJECT_ROOT / "bot" / "data"


def _inputs() -> list[Path]:
    files = [CONFIG]
    for folder in (DOMAIN, DATA):
        files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml"})
    return files


def content_hash() -> str:
    """SHA-256 over the training inputs' paths and bytes, and the Rasa version."""
    digest = hashlib.sha256(f"rasa {version('rasa')}\n".encode())
    for path in _inputs():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def model_path() -> Path:
    """Where the model for the current inputs is (or will be)."""
    return MODELS_DIR / f"{content_hash()}.tar.gz"


def ensure_model() -> Path:
    """Train unless the model for the current inputs exists; return its path."""
    backstop.build()
    target = model_path()
    if target.exists():
        return target
    from runtime import rasa_cli

    MODELS_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MODELS_DIR) as out:
        try:
            rasa_cli.main(
                [
                    "train",
                    "--config",
                    str(CONFIG),
                    "--domain",
                    str(DOMAIN),
                    "--data",
                    str(DATA),
                    "--out",
                    out,
                    "--fixed-model-name",
                    target.name.removesuffix(".tar.gz"),
                ]
            )
        except SystemExit as exit_:
            if exit_.code:
                raise
        trained = Path(out) / target.name
        if not trained.exists():
            sys.exit("Training did not produce a model; see the messages above.")
        shutil.move(trained, target)
    for old in MODELS_DIR.glob("*.tar.gz"):
        if old != target:
            old.unlink()
    return target


if __name__ == "__main__":
    print(ensure_model())
