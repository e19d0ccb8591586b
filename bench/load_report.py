"""The report of the load benchmark (bench/load.py), not a benchmark itself: a row per set-up
and level, the failover run's figures, and the ratios between the set-ups."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summary(patients: list, elapsed: float) -> dict:
    """Turns, turns/s, p50/p95/p99 latency in ms, failed turns and retries of one run."""
    turns = [turn for patient in patients for turn in patient.turns]
    ms = [turn.seconds * 1000 for turn in turns]
    return {
        "turns": len(turns),
        "turns/s": len(turns) / elapsed,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "failed": sum(not turn.ok for turn in turns),
        "retries": sum(p.retries for p in patients),
    }


def cores_busy(before: dict, after: dict, elapsed: float) -> str:
    """CPU seconds per second of each part, over the processes that lived through the interval."""

    def used(part: str) -> float:
        return sum(after[part][pid] - before[part][pid] for pid in after[part] if pid in before[part])

    return " ".join(f"{part} {used(part) / elapsed:.2f}" for part in after)


def header() -> None:
    """The column names of the rows `level` prints."""
    print(
        f"{'set-up':>12} {'clients':>7} {'turns':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'failed':>6} {'retries':>7}   cores busy (CPU seconds per second)",
        flush=True,
    )


def level(setup: str, concurrency: int, row: dict, busy: str) -> None:
    """One set-up at one level: its summary and the cores each part kept busy."""
    print(
        f"{setup:>12} {concurrency:>7} {row['turns']:>6} {row['turns/s']:>8.1f} {row['p50']:>8.0f} "
        f"{row['p95']:>8.0f} {row['p99']:>8.0f} {row['failed']:>6} {row['retries']:>7}   {busy}",
        flush=True,
    )


def failover(
    patients: list, elapsed: float, problems: list, concurrency: int, seconds: float, kill_after: float
) -> None:
    """The run during which a replica was killed, and what the check of its stored conversations found."""
    row = summary(patients, elapsed)
    sent = sum(len(patient.sent) for patient in patients)
    print(
        f"\nFailover (pg-2, {concurrency} at once for {seconds:.0f} s, rasa-1 killed with SIGKILL "
        f"after {kill_after:.0f} s):"
    )
    longest = max(turn.seconds for patient in patients for turn in patient.turns)
    print(
        f"  {row['turns']} turns in {elapsed:.1f} s, {row['turns/s']:.1f} turns/s, p50 {row['p50']:.0f} ms, "
        f"p95 {row['p95']:.0f} ms, p99 {row['p99']:.0f} ms, max {longest:.1f} s"
    )
    print(f"  failed turns {row['failed']}, retries {row['retries']}")
    print(
        f"  stored conversations checked: {len(patients)} conversations, {sent} messages sent; "
        f"messages missing, repeated, out of order or unanswered: {len(problems)}"
    )
    for problem in problems[:5]:
        print(f"    {problem}")


def recovery(ready_in: float, since_kill: float, served_by_it: int, all_answered: bool, audit) -> None:
    """The killed replica's return (of the next 10 messages, those it served), and the audit chain's check."""
    print(
        f"  rasa-1 restarted and ready in {ready_in:.1f} s ({since_kill:.0f} s after the kill); "
        f"of the next 10 messages it served {served_by_it}, all answered: {all_answered}"
    )
    print(f"  audit chain after the runs: {audit}")


def ratios(results: dict, levels: list[int]) -> None:
    """At each level: pg-2 over pg-1, pg-1 over sqlite and sqlite over sqlite-stock, with their p95s."""
    print("\nRatios at each level (turns/s; p95 ms side by side):")
    print(
        f"{'clients':>7} {'pg-2/pg-1':>10} {'p95 pg-1':>9} {'p95 pg-2':>9} {'pg-1/sqlite':>12} "
        f"{'sqlite/stock':>13} {'p95 stock':>10} {'p95 sqlite':>11}"
    )
    for n in levels:
        r = {setup: results[setup][n] for setup in results}
        print(
            f"{n:>7} {r['pg-2']['turns/s'] / r['pg-1']['turns/s']:>9.2f}x {r['pg-1']['p95']:>9.0f} "
            f"{r['pg-2']['p95']:>9.0f} {r['pg-1']['turns/s'] / r['sqlite']['turns/s']:>11.2f}x "
            f"{r['sqlite']['turns/s'] / r['sqlite-stock']['turns/s']:>12.2f}x {r['sqlite-stock']['p95']:>10.0f} "
            f"{r['sqlite']['p95']:>11.0f}"
        )
