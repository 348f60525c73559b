"""The event log's typed links: `ref`, `cause` and `modules` say which launch, trip or decision an
event belongs to and what caused it, so that readers never parse `detail`."""
import pandas as pd
import pytest

from fleet.scenario import parse_scenario
from runs import load_scenario, simulate
from runs.look.trace import id_ranges, trace_lines


@pytest.fixture(scope="module")
def run():
    """`baseline` for six years: launches, failures, trips, decisions of every usual kind."""
    base = load_scenario("baseline").model_dump(mode="json")
    base["horizon_years"] = 6
    return simulate(parse_scenario(base, "links"), seed=2)


def rows(events: pd.DataFrame, *kinds: str) -> pd.DataFrame:
    return events[events.kind.isin(kinds)]


def test_every_launch_carries_its_payload_and_its_modules_are_commissioned_with_it(run):
    ev = run.events
    launches = rows(ev, "launch")
    assert len(launches) > 3
    commissioned = rows(ev, "commissioned")
    arrive = launches.time_days + run.scenario.fleet.module.commissioning_days
    for ref, payload, count, day in zip(launches.ref, launches.modules, launches["count"], arrive):
        assert len(payload) == count
        expected = sorted(payload) if day < run.scenario.horizon_years * 365.25 else []
        assert sorted(commissioned.module[commissioned.ref == ref]) == expected
    flown = [m for p in rows(ev, "launch", "launch_failure").modules for m in p]
    assert len(flown) == len(set(flown)) == run.summary["modules_launched"]


def test_refs_are_unique_to_what_they_name(run):
    ev = run.events
    owners = rows(ev, "launch", "launch_failure", "decision", "servicing_dispatch", "module_failure",
                  "space_weather")
    assert owners.ref.is_unique and (owners.ref >= 0).all()
    assert (rows(ev, "unit_failure").ref == -1).all()


def test_each_trip_links_its_work_to_its_dispatch_and_the_decision_that_sent_it(run):
    ev = run.events
    dispatch = rows(ev, "servicing_dispatch").set_index("ref")
    decisions = rows(ev, "decision").set_index("ref")
    assert len(dispatch) > 3
    assert dispatch.cause.isin(decisions.index).all()
    work = rows(ev, "servicing", "upgrade", "servicing_failure")
    assert len(work) > 0
    for ref, cause, module, day in zip(work.ref, work.cause, work.module, work.time_days):
        sent = dispatch.loc[ref]
        assert cause == sent.cause and day >= sent.time_days
        assert module == -1 or module in sent.modules


def test_launches_name_the_decision_that_ordered_their_first_module(run):
    ev = run.events
    orders = rows(ev, "decision")
    orders = orders[orders.modules.map(len) > 0]
    ordered_by = {m: ref for ref, ms in zip(orders.ref, orders.modules) for m in ms}
    for cause, payload in zip(rows(ev, "launch").cause, rows(ev, "launch").modules):
        assert cause == ordered_by[payload[0]]


def test_a_reaction_names_the_failure_it_reacts_to(run):
    ev = run.events
    failures = rows(ev, "module_failure", "deorbit")
    assert len(failures) > 0
    reactions = rows(ev, "decision")
    reactions = reactions[reactions.cause >= 0]
    assert len(reactions) > 0
    owners = rows(ev, "module_failure", "deorbit", "launch_failure", "servicing_dispatch", "decision")
    causes = owners.set_index("ref").loc[reactions.cause]
    assert set(causes.kind.astype(str)) <= {"module_failure", "deorbit", "launch_failure", "servicing_dispatch"}
    assert (causes.time_days.to_numpy() <= reactions.time_days.to_numpy()).all()


def test_blackouts_are_linked_from_their_start_to_their_end(run):
    ev = run.events
    starts = rows(ev, "ground_outage")
    starts = starts[starts.ref >= 0]
    ends = rows(ev, "ground_restored")
    ends = ends[ends.ref >= 0]
    assert len(starts) > 0
    assert starts.ref.is_unique and set(ends.ref) <= set(starts.ref)
    assert len(starts) - len(ends) in (0, 1)       # one may still be going on at the horizon


def test_the_trace_reads_the_links_not_the_sentences(run):
    """Blank every `detail`: the trace still names each launch's payload and each trip's modules."""
    ev = run.events
    blank = ev.assign(detail=pd.Categorical([""] * len(ev)))
    lines = trace_lines(blank, run.scenario, until_day=2 * 365.25)
    full = trace_lines(ev, run.scenario, until_day=2 * 365.25)
    assert len(lines) == len(full)
    first = rows(ev, "launch").iloc[0]
    payload = f"leaves with {len(first.modules)} modules ({id_ranges(first.modules)}) for cluster {first.cluster}"
    assert any(payload in line for line in lines)
    assert sum("free again" in line for line in lines) == sum("free again" in line for line in full) > 0


def test_the_reference_documents_every_kind_and_column():
    from events.log import COLUMN_MEANINGS, COLUMNS, KIND_COLUMNS, KINDS
    assert set(KIND_COLUMNS) == set(KINDS)
    assert set(COLUMN_MEANINGS) == set(COLUMNS)
    assert all(set(cols) <= set(COLUMNS) for cols in KIND_COLUMNS.values())


def test_every_module_end_says_why_in_the_reason_column(run):
    """Module failures and deorbits carry a reason from the closed list; no other row has one."""
    from events.log import REASONS
    ev = run.events
    ended = ev.kind.isin(["module_failure", "deorbit"])
    assert list(ev["reason"].cat.categories) == list(REASONS)
    assert (ev.loc[ended, "reason"] != "").all() and (ev.loc[~ended, "reason"] == "").all()
    natural = ev[(ev.kind == "deorbit") & (ev.reason == "end of design life")]
    assert (natural["detail"].astype(str) == "end of design life").all()
