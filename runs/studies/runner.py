"""Run the missing work units of an experiment into its results store."""
from __future__ import annotations

import os
from dataclasses import dataclass

from runs.studies.experiment import Plan
from runs.studies.progress import Progress
from runs.studies.store import Store


@dataclass(frozen=True)
class RunReport:
    """How a run went: units in the experiment, found done, computed now, and failed now."""

    total: int
    already_done: int
    computed: int
    failed: int


def run_plan(plan: Plan, out: str | os.PathLike, backend, progress: bool = True, force: bool = False) -> RunReport:
    """Compute every unit of `plan` not yet in the store at `out`, writing each as it finishes.

    Raises InputError (before writing anything) if `out` holds anything but this experiment's results,
    or (without `force`) another experiment's, or if another command is working in it.
    """
    with Store(out, plan).open(force) as store:
        units = plan.units
        done = store.done_keys()
        todo = {u.key: u for u in units if u.key not in done}
        computed = failed = 0
        with Progress(len(units), len(units) - len(todo), plan.experiment.name, enabled=progress) as bar:
            outcomes = backend.run(list(todo.values()))
            try:
                for outcome in outcomes:
                    store.write(todo[outcome.key], outcome)
                    computed += not outcome.failed
                    failed += outcome.failed
                    bar.advance(outcome.failed)
            finally:
                outcomes.close()    # on Ctrl-C or an error: the backend stops its workers now
    return RunReport(len(units), len(units) - len(todo), computed, failed)
