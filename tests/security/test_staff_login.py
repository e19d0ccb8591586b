"""Security items 1 and 2: the console's password and second factor cannot be guessed in
parallel or replayed, every refusal reads and costs the same, the session before the second
factor is short, and a staff member can log out everywhere (docs/security.md)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from privacy.clinic import staff as accounts
from privacy.clinic.staff import MAX_FAILURES, PRE_FACTOR, REFUSED, LoginFailed

PASSWORD = "correct horse battery staple"


@pytest.fixture
def vault(clocked_vault):
    return clocked_vault


@pytest.fixture
def checks(monkeypatch):
    """Which hash each argon2 check was made against: the account's, or the dummy's."""
    made, verify = [], accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda stored, given: made.append(stored) or verify(stored, given))
    return made


def refusal(vault, name, password) -> str:
    with pytest.raises(LoginFailed) as failed:
        vault.staff.login(name, password)
    return str(failed.value)


def test_parallel_guesses_all_count_and_only_max_failures_are_checked(vault, checks):
    vault.staff.add("dana", "agent", PASSWORD)
    with ThreadPoolExecutor(12) as pool:
        refused = list(pool.map(lambda _: refusal(vault, "dana", "wrong password!"), range(24)))
    assert set(refused) == {REFUSED}
    real = [h for h in checks if h != accounts._DUMMY_HASH]
    assert len(real) <= MAX_FAILURES  # the rest were refused before their password was read
    assert refusal(vault, "dana", PASSWORD) == REFUSED  # locked: the right password too


def test_an_unknown_a_wrong_and_a_locked_login_read_and_cost_the_same(vault, clock, checks):
    vault.staff.add("dana", "agent", PASSWORD)
    answers = [refusal(vault, "nobody", PASSWORD), refusal(vault, "dana", "wrong password!")]
    for _ in range(MAX_FAILURES):
        refusal(vault, "dana", "wrong password!")
    answers.append(refusal(vault, "dana", PASSWORD))
    assert answers == [REFUSED] * 3
    assert len(checks) == 3 + MAX_FAILURES  # one argon2 check for each, a dummy one where none is due
    clock.advance(minutes=16)
    assert vault.staff.login("dana", PASSWORD).username == "dana"


def test_wrong_second_factor_codes_count_toward_the_lock_out(vault):
    secret = vault.staff.add("ida", "privacy_officer", PASSWORD)
    ida = vault.staff.login("ida", PASSWORD)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1000000:06d}"
    assert not any(vault.staff.check_code(ida, wrong) for _ in range(MAX_FAILURES + 1))
    assert not vault.staff.check_code(ida, pyotp.TOTP(secret).at(vault.now()))  # locked: the right code too
    assert refusal(vault, "ida", PASSWORD) == REFUSED


def test_a_code_is_accepted_once_even_by_two_requests_at_once(vault):
    secret = vault.staff.add("ida", "privacy_officer", PASSWORD)
    ida = vault.staff.login("ida", PASSWORD)
    code = pyotp.TOTP(secret).at(vault.now())
    with ThreadPoolExecutor(4) as pool:
        accepted = list(pool.map(lambda _: vault.staff.check_code(ida, code), range(4)))
    assert accepted.count(True) == 1
    assert not vault.staff.check_code(ida, code)


def test_the_session_before_the_second_factor_lasts_minutes(vault, clock):
    vault.staff.add("ida", "privacy_officer", PASSWORD)
    token = vault.staff.start_session(vault.staff.login("ida", PASSWORD), verified=False)
    clock.advance(seconds=PRE_FACTOR.total_seconds() - 30)
    assert vault.staff.session(token) is not None  # activity does not extend it
    clock.advance(seconds=60)
    assert vault.staff.session(token) is None
    verified = vault.staff.start_session(vault.staff.login("ida", PASSWORD), verified=True)
    clock.advance(seconds=PRE_FACTOR.total_seconds() + 60)
    assert vault.staff.session(verified) is not None


def test_log_out_everywhere_ends_every_session_and_a_new_login_may_end_the_others(vault):
    vault.staff.add("dana", "agent", PASSWORD)
    dana = vault.staff.login("dana", PASSWORD)
    first, second = (vault.staff.start_session(dana, verified=True) for _ in range(2))
    third = vault.staff.start_session(dana, verified=True)
    assert vault.staff.end_sessions(dana, keep=third) == 2
    assert vault.staff.session(first) is None and vault.staff.session(second) is None
    assert vault.staff.session(third) is not None
    vault.staff.end_sessions(dana)
    assert vault.staff.session(third) is None


def test_the_lock_out_lasts_its_time(vault, clock):
    vault.staff.add("dana", "agent", PASSWORD)
    for _ in range(MAX_FAILURES + 1):
        refusal(vault, "dana", "wrong password!")
    clock.advance(minutes=14)
    assert refusal(vault, "dana", PASSWORD) == REFUSED
    clock.advance(minutes=2)
    assert vault.staff.login("dana", PASSWORD)
