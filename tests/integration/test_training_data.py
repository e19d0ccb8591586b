"""The training data, the dialogue model and the NLU model, checked with Rasa's own tools."""

import json
import re
import subprocess
import sys

import pytest

from harness.nlu import HELD_OUT, examples, near_training, scored_copy, training_examples
from harness.servers import PROJECT_ROOT

# The canonical intents (INTENTS.md of the product contract): never renamed or merged.
CANONICAL_INTENTS = [
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "thank",
    "bot_challenge",
    "help",
    "emergency",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "list_appointments",
    "report_symptoms",
    "medication_question",
    "billing_question",
    "contact_info",
    "human_handoff",
    "privacy_question",
    "request_data_access",
    "request_data_correction",
    "request_data_deletion",
    "request_data_export",
    "object_processing",
    "opt_out_marketing",
    "opt_in_marketing",
    "withdraw_consent",
    "out_of_scope",
]
MACRO_F1_FLOOR = 0.93  # on tests/nlu/heldout.yml: measured 0.940; the target is 0.97
STYLES_INTENT_FLOOR = 0.85  # every intent, on tests/nlu/heldout-styles.yml (other assistants' phrasing),
# but these, below it when last measured: each may not fall further until it is brought up to the floor
STYLES_BELOW_FLOOR = {"stop": 0.0, "request_data_access": 0.77, "goodbye": 0.8}


def rasa(*args, timeout=1800):
    return subprocess.run(
        [sys.executable, "-m", "runtime.rasa_cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def evaluations(model, tmp_path_factory):
    """Rasa's evaluations of the model, run side by side (each loads Rasa and the model on its own):
    the test stories, and each held-out NLU set. Name -> (return code, output, output folder,
    sentences left out of the set)."""
    out = tmp_path_factory.mktemp("evaluations")
    commands = {"stories": (["core", "--stories", "tests/stories", "--fail-on-prediction-errors"], 0)}
    for held_out in HELD_OUT:
        scored, left_out = scored_copy(held_out, out)
        commands[held_out.name] = (["nlu", "--nlu", str(scored)], left_out)
    folders = {name: out / f"report-{name}" for name in commands}
    running = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runtime.rasa_cli",
                "test",
                *args,
                "--model",
                str(model),
                "--out",
                str(folders[name]),
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, (args, _) in commands.items()
    }
    finished = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=1800)
        finished[name] = (process.returncode, output, folders[name], commands[name][1])
    return finished


def test_the_canonical_intents_match_the_contract_where_it_is_available():
    contract = PROJECT_ROOT.parent / "shared" / "INTENTS.md"
    if not contract.exists():
        pytest.skip("the shared contract is not beside this checkout")
    names = re.findall(r"^\| (\w+) \|", contract.read_text(), flags=re.M)
    assert sorted(n for n in names if n != "intent") == sorted(CANONICAL_INTENTS)


def test_every_canonical_intent_has_at_least_15_examples():
    counts = {}
    for intent, _ in training_examples():
        counts[intent] = counts.get(intent, 0) + 1
    short = {i: counts.get(i, 0) for i in CANONICAL_INTENTS if counts.get(i, 0) < 15}
    assert not short


@pytest.mark.parametrize("held_out", HELD_OUT, ids=lambda p: p.name)
def test_the_held_out_sets_share_no_sentence_with_the_training_data(held_out):
    assert near_training(held_out) == []


def test_the_held_out_sets_are_big_enough():
    assert len(examples(HELD_OUT[0])) >= 20 * len(CANONICAL_INTENTS)
    assert len(examples(HELD_OUT[1])) >= 200


def test_rasa_data_validate_passes_without_warnings_about_intents():
    done = rasa("data", "validate", "--domain", "bot/domain", "--data", "bot/data", "--config", "config.yml")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    warnings = re.findall(r"UserWarning: (.*)", output)
    assert not [w for w in warnings if "intent" in w.lower()]
    # The only responses no story uses are the forms' questions and those our code sends.
    code = "".join(p.read_text() for p in (PROJECT_ROOT / "bot").rglob("*.py"))
    for warning in warnings:
        unused = re.match(r"The utterance '(\w+)' is not used in any story or rule", warning)
        assert unused, warning
        name = unused.group(1)
        assert name in code or name.startswith("utter_ask_") or name == "utter_default", warning


def test_the_test_stories_pass(evaluations):
    returncode, output, folder, _ = evaluations["stories"]
    failed = folder / "failed_test_stories.yml"
    assert returncode == 0, (failed.read_text() if failed.exists() else "") + output[-3000:]


def _per_class(report: dict) -> dict:
    return {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
    }


def nlu_report(evaluations, held_out, write_report) -> dict:
    """Rasa's own evaluation of the model on a held-out set; written to var/reports/."""
    returncode, output, folder, left_out = evaluations[held_out.name]
    assert returncode == 0, output[-3000:]
    intents = json.loads((folder / "intent_report.json").read_text())
    entity_file = folder / "DIETClassifier_report.json"  # written only for a set with entities
    entities = json.loads(entity_file.read_text()) if entity_file.exists() else {}
    lines = [
        f"held-out set tests/nlu/{held_out.name}: {int(intents['macro avg']['support'])} sentences scored "
        f"({left_out} one- or two-word sentences left out: they are training sentences too)",
        f"intents: macro-F1 {intents['macro avg']['f1-score']:.3f}   accuracy {intents.get('accuracy', 0):.3f}",
        f"entities: macro-F1 {entities['macro avg']['f1-score']:.3f}   micro-F1 "
        f"{entities.get('micro avg', entities['macro avg'])['f1-score']:.3f}"
        if entities
        else "entities: none annotated in this set",
        "",
    ]
    lines += [
        f"intent {name:28} F1 {v['f1-score']:.3f}  (n={int(v['support'])})"
        for name, v in sorted(_per_class(intents).items(), key=lambda kv: kv[1]["f1-score"])
    ]
    lines += [
        f"entity {name:28} F1 {v['f1-score']:.3f}  (n={int(v['support'])})"
        for name, v in sorted(_per_class(entities).items())
    ]
    write_report(f"nlu-report-{held_out.stem}", "\n".join(lines))
    return intents


def test_nlu_on_the_held_out_set(evaluations, write_report):
    report = nlu_report(evaluations, HELD_OUT[0], write_report)
    assert set(CANONICAL_INTENTS) <= set(_per_class(report))
    assert report["macro avg"]["f1-score"] >= MACRO_F1_FLOOR


def test_nlu_on_other_assistants_phrasing(evaluations, write_report):
    report = nlu_report(evaluations, HELD_OUT[1], write_report)
    weak = {
        name: round(v["f1-score"], 3)
        for name, v in _per_class(report).items()
        if v["support"] and v["f1-score"] < STYLES_BELOW_FLOOR.get(name, STYLES_INTENT_FLOOR)
    }
    assert weak == {}


@pytest.mark.filterwarnings("ignore:Slot auto-fill has been removed")  # Rasa's, loading any domain
def test_every_action_that_reads_the_domain_is_sent_it():
    """With enable_selective_domain, an action not marked `send_domain: true` gets an empty
    domain: a form validation would then validate nothing."""
    import importlib
    import inspect
    import pkgutil

    from rasa.shared.core.domain import Domain
    from rasa_sdk import Action
    from rasa_sdk.forms import FormValidationAction

    import bot.actions

    domain = Domain.load(str(PROJECT_ROOT / "bot" / "domain"))
    readers = set()
    for info in pkgutil.iter_modules(bot.actions.__path__):
        module = importlib.import_module(f"bot.actions.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, Action):
                continue
            try:
                name = cls().name()
            except NotImplementedError:  # a base class
                continue
            if issubclass(cls, FormValidationAction) or 'domain["' in inspect.getsource(cls):
                readers.add(name)
    assert {"validate_booking_form", "action_submit_opt_in"} <= readers
    assert {name for name in readers if not domain.does_custom_action_explicitly_need_domain(name)} == set()
