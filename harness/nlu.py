"""Reading NLU example files (training data and the held-out sets)."""

import re
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from harness.servers import PROJECT_ROOT


def examples(path):
    """(intent, text) of every example in an NLU file, entity markup removed."""
    found = []
    for block in yaml.safe_load(path.read_text()).get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                    found.append((block["intent"], text))
    return found


def training_examples():
    return [e for path in sorted((PROJECT_ROOT / "bot" / "data" / "nlu").glob("*.yml")) for e in examples(path)]


def comparable(text):
    return re.sub(r"[^\w ]", "", text.lower()).strip()


HELD_OUT = [PROJECT_ROOT / "tests" / "nlu" / name for name in ("heldout.yml", "heldout-styles.yml")]
NEAR = 88  # rapidfuzz ratio from which two sentences count as the same


def near_training(held_out: Path) -> list[tuple[str, str]]:
    """The held-out sentences of three words or more that nearly repeat a training sentence
    (with the training sentence): there must be none."""
    trained = [comparable(text) for _, text in training_examples()]
    found = []
    for _, text in examples(held_out):
        if len(text.split()) >= 3:
            match = process.extractOne(comparable(text), trained, scorer=fuzz.ratio, score_cutoff=NEAR)
            if match:
                found.append((text, match[0]))
    return found


def scored_copy(held_out: Path, directory: Path) -> tuple[Path, int]:
    """The held-out file without the one- and two-word sentences that are also training
    sentences ("yes", "bye": no set of either can avoid them), and how many were left out."""
    trained = {comparable(text) for _, text in training_examples()}
    data, left_out = yaml.safe_load(held_out.read_text()), 0
    for block in data.get("nlu", []):
        if "intent" in block:
            kept = []
            for line in block["examples"].splitlines():
                text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                if line.strip().startswith("- ") and len(text.split()) <= 2 and comparable(text) in trained:
                    left_out += 1
                    continue
                kept.append(line)
            block["examples"] = "\n".join(kept) + "\n"
    path = directory / held_out.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path, left_out
