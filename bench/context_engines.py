"""Engines for the context layer, on the open evaluation set, with the same lexicon:

- the check the assistant had before (English negation and history words reaching four words
  forward in the clause, three history phrases after), as a baseline;
- safety/context.py: the patient-language cues of safety/data/context.yml, each reaching so many
  words before or after a red flag inside its clause (or, for `later` cues, anywhere after it);
- medspacy's ConText (1.3.1) with the same cues, deciding with the same policy (Context.decide):
  each cue a ConTextRule (before -> FORWARD, after -> BACKWARD, near and figures of speech ->
  BIDIRECTIONAL, its reach as max_scope), clause breaks TERMINATE rules, exceptions PSEUDO rules.

It prints, for the lexicon and context layers alone (no backstop, no danger question), recall on
must-escalate messages, alarms on hard negatives and on ordinary messages, and the time per message.

medspacy is not a dependency of the project (it brings spaCy and a tokenizer of its own). Run this in
a venv of its own, beside the project's safety/ packages:
    python3.10 -m venv /tmp/ctx
    /tmp/ctx/bin/pip install medspacy==1.3.1 'spacy<3.5' 'pydantic<1.10.10' pyyaml rapidfuzz wordfreq \\
        lingua-language-detector 'scikit-learn<1.2' joblib
    /tmp/ctx/bin/python bench/context_engines.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import spacy
from medspacy.context import ConText, ConTextRule
from spacy.tokens import Doc, Span

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.emergency_set import load  # noqa: E402
from safety.context import CURRENT, Context  # noqa: E402
from safety.context import shared as context
from safety.lexicon import Lexicon  # noqa: E402
from safety.normalize import normalize  # noqa: E402

DIRECTIONS = {
    "before": "FORWARD",
    "after": "BACKWARD",
    "near": "BIDIRECTIONAL",
    "overlaps": "BIDIRECTIONAL",
    "later": "BACKWARD",
}
START = "^"  # a first token, so that every cue pattern (" word ...") finds the space it starts with


class MedspacyContext:
    """The same cues, scoped by medspacy's ConText."""

    def __init__(self, ours: Context):
        self.ours = ours
        self.nlp = spacy.blank("en")
        self.engine = ConText(
            self.nlp, rules=None, input_span_type="group", span_group_name="red_flags", prune_on_modifier_overlap=False
        )
        self.engine._ConText__matcher._MedspacyMatcher__regex_matcher.resolve_start = "right"
        self.by_literal = {}
        rules = [
            ConTextRule("clause break", "CLAUSE", pattern=pattern, direction="TERMINATE")
            for pattern in (ours.breaks.pattern, r" [.,;:!?](?= |$)")
        ]
        for cue in ours.cues:
            stop = f"STOP_{cue.kind}"
            for index, pattern in enumerate(cue.patterns):
                literal = f"{cue.kind} {index}"
                self.by_literal[literal] = cue
                rules.append(
                    ConTextRule(
                        literal,
                        cue.kind.upper(),
                        pattern=pattern.pattern,
                        direction=DIRECTIONS[cue.where],
                        max_scope=None if cue.where == "later" else cue.reach + 1,
                        terminated_by=set() if cue.where == "later" else {"CLAUSE", stop.upper()},
                    )
                )
            rules += [
                ConTextRule(f"{cue.kind} exception {i}", "PSEUDO", pattern=p.pattern, direction="PSEUDO")
                for i, p in enumerate(cue.exceptions)
            ]
            rules += [
                ConTextRule(f"{cue.kind} stop {i}", stop.upper(), pattern=p.pattern, direction="TERMINATE")
                for i, p in enumerate(cue.stops)
            ]
        self.engine.add(rules)

    def readings(self, tokens: list[str], targets: list[tuple[int, int, str]]) -> list[str]:
        doc = Doc(self.nlp.vocab, words=[START, *tokens])
        for token in doc:
            token.is_sent_start = token.i == 0
        doc.spans["red_flags"] = [Span(doc, start + 1, end + 1, label=category) for start, end, category in targets]
        doc = self.engine(doc)
        verdicts = []
        for span, (start, end, category) in zip(doc.spans["red_flags"], targets):
            cues = []
            for modifier in span._.modifiers:
                cue = self.by_literal.get(modifier.rule.literal)
                if cue and category not in cue.skip:
                    first, last = modifier.modifier_span
                    gap = max(0, start + 1 - last, first - end - 1)
                    cues.append((cue, gap))
            verdicts.append(self.ours.decide(tokens, start, end, category, cues).verdict)
        return verdicts


# The check before safety/ (bot/safety/red_flags.py): its words, its reach.
_NEGATIONS = re.compile(
    r"\b(?:no|not|never|without|denies|deny|denied|nor|none|neither|do not|does not|did not|"
    r"is not|are not|was not|have not|has not|no sign of|free of)\b"
)
_HISTORY_BEFORE = re.compile(r"\b(?:history of|previous|prior|past|family history)\b")
_HISTORY_AFTER = re.compile(
    r"^\W*(?:\w+ ){0,3}?(?:years ago|months ago|last year|in (?:19|20)\d\d|"
    r"as a (?:child|kid|teen)|when i was)"
)
_CLAUSE_BREAK = re.compile(r"[.,;:!?]|\b(?:but|however|although|though|and now|yet)\b")


def before(tokens: list[str], targets: list[tuple[int, int, str]]) -> list[str]:
    verdicts = []
    for start, end, _ in targets:
        ahead = " ".join(_CLAUSE_BREAK.split(" ".join(tokens[:start]))[-1].split()[-4:])
        after = _CLAUSE_BREAK.split(" ".join(tokens[end:]))[0]
        discounted = _NEGATIONS.search(ahead) or _HISTORY_BEFORE.search(ahead) or _HISTORY_AFTER.search(after)
        verdicts.append("discounted" if discounted else CURRENT)
    return verdicts


def emergency(lexicon: Lexicon, read, text: str) -> bool:
    """The lexicon and context layers alone: a red flag whose every part the context keeps current."""
    matches, tokens = lexicon.find(normalize(text).split())
    matches = [m for m in matches if m.kind != "ask"]
    targets = [(s, e, m.category) for m in matches for spans in m.parts for s, e in spans]
    verdicts = iter(read(tokens, targets))
    for match in matches:
        parts = [[next(verdicts) for _ in spans] for spans in match.parts]
        if all(
            CURRENT in part or background for part, background in zip(parts, match.background or (False,) * len(parts))
        ):
            return True
    return False


def measure(name: str, lexicon: Lexicon, read) -> None:
    messages = load("open")
    started = time.perf_counter()
    results = [(m, emergency(lexicon, read, m.text)) for m in messages]
    per_message = (time.perf_counter() - started) / len(messages) * 1000
    rate = lambda rows: f"{100 * sum(rows) / len(rows):5.1f}% ({sum(rows)}/{len(rows)})"  # noqa: E731
    print(
        f"{name:<22} recall {rate([e for m, e in results if m.escalate])}   "
        f"hard negatives {rate([e for m, e in results if not m.escalate and m.style == 'hard_negative'])}   "
        f"ordinary {rate([e for m, e in results if not m.escalate and m.style != 'hard_negative'])}   "
        f"{per_message:.2f} ms/message"
    )


def main() -> None:
    lexicon, ours = Lexicon.load(), context()
    own = lambda tokens, targets: [ours.read(tokens, s, e, c).verdict for s, e, c in targets]  # noqa: E731
    measure("no context at all", lexicon, lambda tokens, targets: [CURRENT] * len(targets))
    measure("the check before", lexicon, before)
    measure("safety/context.py", lexicon, own)
    measure("medspacy ConText", lexicon, MedspacyContext(ours).readings)


if __name__ == "__main__":
    main()
