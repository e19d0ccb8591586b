"""Erasure is defined once (privacy/compliance/erasure.py): every table that names a subject is either
erased with it or kept for a stated reason."""

from privacy.compliance import erasure
from privacy.store import schema


def subject_tables() -> set[str]:
    """The tables of both databases with a column that names a subject."""
    return {
        name
        for metadata in (schema.data, schema.keys)
        for name, table in metadata.tables.items()
        if name == "subjects" or any("subject" in column.name for column in table.columns)
    }


def test_every_table_that_names_a_subject_is_erased_or_kept_for_a_reason():
    erased = {table.name for table in erasure.ERASED}
    accounted = erased | set(erasure.KEPT)
    assert subject_tables() - accounted == set(), "add it to privacy/compliance/erasure.py's ERASED or KEPT"
    assert accounted - subject_tables() == set(), (
        "a table listed in privacy/compliance/erasure.py no longer names a subject"
    )
    assert erased.isdisjoint(erasure.KEPT)
    assert all(reason.strip() for reason in erasure.KEPT.values())


def test_what_a_hold_lets_go_is_part_of_what_erasure_deletes():
    assert set(erasure.ERASED_UNDER_HOLD) <= set(erasure.ERASED)
