"""The retention sweep at the vault level: old codes, transcripts and links removed, what is current
kept."""

from harness.rights import patient


def test_the_sweep_removes_old_codes_transcripts_and_links_but_keeps_what_is_current(vault, clock):
    subject = patient(vault).subject_id
    vault.records.put(subject, "symptom", "cough", actor="patient", reason="intake")
    vault.identity.send_code(subject)
    vault.conversations.save("web-old", [{"event": "user", "text": "hello", "timestamp": 1.0}])
    clock.advance(days=400)
    vault.conversations.save("web-new", [{"event": "user", "text": "hi again", "timestamp": 2.0}])
    counts = vault.retention.sweep().counts
    assert counts["one-time codes"] == 1 and counts["conversation transcripts"] == 1
    assert counts["patients whose retention ended"] == 0  # medical records: 7 years
    assert vault.conversations.load("web-old") is None and vault.conversations.load("web-new")
    assert vault.audit.verify().ok
