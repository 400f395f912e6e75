"""Claims on journal entries between real processes: exactly one of several processes
claiming at the same moment gets an entry, and a killed holder's entries are free at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.synchronize import Barrier
from pathlib import Path

from s3desk.core.transfer.upload.journal import HOLDER_COMMAND, HOLDER_WINDOW, Journal

_ENTRY = (1, "/data/big.bin", "bucket", "big.bin", 10, 0, "{}")


def _claim_at_once(path: str, start: Barrier, results: multiprocessing.Queue[object]) -> None:
    journal = Journal(path, HOLDER_COMMAND)
    start.wait(30)
    claim = journal.claim([1])
    results.put((os.getpid(), sorted(claim.records), {k: v.pid for k, v in claim.held.items()}))
    start.wait(30)  # hold on until every process has answered
    journal.close()


def test_of_processes_claiming_at_once_exactly_one_gets_the_entry(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.sqlite3")
    seed = Journal(path)
    seed.add_jobs("ep", [_ENTRY])
    seed.close()  # the entry is unfinished and nobody's
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    processes = [
        context.Process(target=_claim_at_once, args=(path, start, results)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
    winners = [pid for pid, claimed, _ in answers if claimed == [1]]
    assert len(winners) == 1
    assert all(held == {1: winners[0]} for pid, _, held in answers if pid != winners[0])


def _hold_until_killed(path: str, ready: multiprocessing.Queue[object]) -> None:
    journal = Journal(path, HOLDER_WINDOW)
    journal.add_jobs("ep", [_ENTRY])
    ready.put(os.getpid())
    signal.pause()


def test_a_killed_holder_lets_go_of_its_entries(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.sqlite3")
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    holder = context.Process(target=_hold_until_killed, args=(path, ready))
    holder.start()
    try:
        pid = ready.get(timeout=60)
        journal = Journal(path, HOLDER_COMMAND)
        held = journal.claim([1]).held
        assert [(h.pid, h.kind) for h in held.values()] == [(pid, HOLDER_WINDOW)]
        assert "the s3desk window (process" in held[1].describe()

        os.kill(pid, signal.SIGKILL)
        holder.join(30)

        claim = journal.claim([1])
        assert list(claim.records) == [1] and claim.held == {}
        assert [p.name for p in (tmp_path / "journal.sqlite3.holders").iterdir()] == [
            f"{journal._token}.lock"
        ]  # the dead holder's file is gone, ours remains while we hold entries
        journal.remove([1])
        journal.close()
        assert list((tmp_path / "journal.sqlite3.holders").iterdir()) == []
    finally:
        if holder.is_alive():
            holder.kill()


def test_released_claims_are_free_to_another_journal_while_this_one_stays_open(
    tmp_path: Path,
) -> None:
    """An engine that stops (an account switched away from) lets go of its entries, though
    the window's process and its journal live on."""
    path = str(tmp_path / "journal.sqlite3")
    first, second = Journal(path, HOLDER_WINDOW), Journal(path, HOLDER_WINDOW)
    try:
        first.add_jobs("ep", [_ENTRY])
        assert sorted(second.claim([1]).held) == [1]  # the first still works on it
        first.release_claims()
        assert sorted(second.claim([1]).records) == [1]
        assert sorted(first.claim([1]).held) == [1]  # and now the second one has it
    finally:
        first.close()
        second.close()
