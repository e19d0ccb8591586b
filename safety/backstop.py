"""Layer 4: the statistical backstop, for emergencies phrased in words no lexicon line foresaw.

Character n-gram and word TF-IDF features with logistic regression (scikit-learn), trained on
safety/data/examples*.yml: emergencies and hard negatives in English and Spanish. A second model
names the category. Both are trained from the data the project ships, once per version of it
(`python -m safety.backstop`, run by `make run` and `make test` before anything starts; a
process that finds no trained model trains it itself), and kept under models/.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import joblib
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from safety import normalize as normalization
from safety.normalize import DATA as NORMALIZATION
from safety.normalize import normalize

DATA = Path(__file__).resolve().parent / "data"
MODELS = Path(__file__).resolve().parents[1] / "models"
EMERGENCY = "emergency"


@dataclass(frozen=True)
class Backstop:
    detector: Pipeline
    categorizer: Pipeline

    def probability(self, texts: list[str]) -> list[float]:
        """P(emergency) for each normalized text."""
        emergency = list(self.detector.classes_).index(EMERGENCY)
        return [row[emergency] for row in self.detector.predict_proba(texts)]

    def category(self, text: str) -> str:
        return self.categorizer.predict([text])[0]


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"[a-z0-9]+"
                ),
            ),
        ]
    )


def example_files() -> list[Path]:
    return sorted(DATA.glob("examples*.yml"))


def examples() -> list[dict]:
    """Every labelled example the project ships."""
    return [row for path in example_files() for row in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]]


def train(rows: list[dict]) -> Backstop:
    texts = [normalize(row["text"]) for row in rows]
    labels = [EMERGENCY if row["label"] == EMERGENCY else "none" for row in rows]
    detector = Pipeline(
        [("features", _features()), ("model", LogisticRegression(C=2.0, class_weight="balanced", max_iter=5000))]
    )
    detector.fit(texts, labels)
    emergencies = [(text, row["category"]) for text, row in zip(texts, rows) if row["label"] == EMERGENCY]
    categorizer = Pipeline([("features", _features()), ("model", LogisticRegression(C=8.0, max_iter=5000))])
    categorizer.fit([text for text, _ in emergencies], [category for _, category in emergencies])
    return Backstop(detector, categorizer)


def model_path() -> Path:
    """Where the model of the shipped data lives: named by the hash of that data and this code."""
    digest = hashlib.sha256()
    for part in (*example_files(), NORMALIZATION, Path(normalization.__file__), Path(__file__)):
        digest.update(part.read_bytes())
    digest.update(sklearn.__version__.encode())
    return MODELS / f"safety-backstop-{digest.hexdigest()[:16]}.joblib"


def build() -> Path:
    """Train on the shipped data unless a model of it exists; return its path."""
    path = model_path()
    if not path.exists():
        MODELS.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=MODELS, suffix=".tmp")
        os.close(fd)
        trained = train(examples())
        joblib.dump((trained.detector, trained.categorizer), temporary)  # scikit-learn objects only
        os.replace(temporary, path)  # several processes may build at once: the last one wins whole
        for old in MODELS.glob("safety-backstop-*.joblib"):
            if old != path:
                old.unlink(missing_ok=True)
    return path


@lru_cache(maxsize=1)
def shared() -> Backstop:
    return Backstop(*joblib.load(build()))


if __name__ == "__main__":
    print(build())
