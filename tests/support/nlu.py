"""Reading NLU example files (training data and the held-out set)."""
import re

import yaml

from tests.support.servers import PROJECT_ROOT


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
