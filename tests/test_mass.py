"""Conserved mass and money (issue 12, point 4): boards and servicers are launched and paid for, a
trip installs only boards in the depot, servicers burn propellant, are refuelled and can be lost,
and the invariants that check all this can fail."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

import events.engine
from events.invariants import InvariantError, check_replication
from fleet.actions import Resupply
from fleet.errors import PolicyFailure
from fleet.kpis import COST_CATEGORIES
from fleet.scenario import parse_scenario, servicer_mass_kg, tank_kg
from policies.service_on_threshold import ServiceOnThreshold
from runs import simulate
from tests.naive_model import small_world

BOARD_KG, BOARD_USD = 20.0, 1000.0      # the small world's boards


def world(servicing: dict | None = None, **kw):
    """The naive model's small world with `servicing` fields changed."""
    base = small_world(**kw).model_dump()
    base["servicing"].update(servicing or {})
    return parse_scenario(base, "mass-world")


@dataclass(frozen=True)
class Ordering(ServiceOnThreshold):
    """Service on threshold, plus a Resupply of `boards` at the first review; records what it sees."""

    name = "ordering"
    boards: int | None = None
    seen: list = None

    def review(self, obs):
        if self.seen is not None:
            self.seen.append((obs.day, int(obs.boards_in_stock.sum()), int(obs.boards_on_order.sum())))
        out = list(super().review(obs))
        return out + [Resupply(boards=self.boards, reason="test")] if obs.day == 0 and self.boards is not None else out


def test_mass_and_boards_balance():
    s = simulate(world(), seed=1).summary
    held = (s["mass_in_orbit_kg"] + s["mass_deorbited_kg"] + s["mass_lost_at_launch_kg"] + s["mass_debris_kg"]
            + s["mass_propellant_burned_kg"])
    assert s["mass_launched_kg"] == pytest.approx(held, rel=1e-12)
    assert s["boards_installed"] == s["units_replaced"] > 0
    assert s["boards_launched"] >= s["boards_installed"] + s["boards_in_stock"]
    assert s["servicers_launched"] == 2
    assert s["cost_servicers_usd"] == pytest.approx(2 * 65e6 + 0.0)
    assert s["cost_total_usd"] == pytest.approx(sum(s[f"cost_{c}_usd"] for c in COST_CATEGORIES), rel=1e-12)


def test_trip_installs_only_boards_in_stock():
    """Without a standing order, trips replace only the boards a Resupply brought."""
    none = simulate(world({"resupply": None}), seed=1, policy=Ordering()).summary
    assert none["servicing_trips"] > 0 and none["units_replaced"] == 0 and none["boards_launched"] == 0
    some = simulate(world({"resupply": None}), seed=1, policy=Ordering(boards=30)).summary
    assert 0 < some["units_replaced"] <= 30
    assert some["boards_in_stock"] == 30 - some["units_replaced"]


def test_resupply_books_mass_and_cost():
    base = simulate(world({"resupply": None}), seed=2, policy=Ordering()).summary
    more = simulate(world({"resupply": None}), seed=2, policy=Ordering(boards=30))
    s = more.summary
    ev = more.events
    flights = ev[(ev["kind"] == "resupply") & ev["detail"].astype(str).str.contains(" boards")]
    assert flights["count"].sum() == 30 == s["boards_launched"]
    assert s["launches"] == base["launches"] + len(flights)
    assert s["mass_launched_kg"] - base["mass_launched_kg"] == pytest.approx(30 * BOARD_KG)
    assert s["cost_launch_usd"] - base["cost_launch_usd"] == pytest.approx(30 * BOARD_KG * 1000.0)  # $1,000/kg
    # boards are bought when they fly, not when installed
    assert s["cost_hardware_usd"] - base["cost_hardware_usd"] == pytest.approx(30 * BOARD_USD)


def test_observation_shows_stock_and_orders():
    seen: list = []
    simulate(world({"resupply": None}), seed=2, policy=Ordering(boards=30, seen=seen))
    assert seen[0] == (0.0, 0, 0)
    assert seen[1][2] == 30 or seen[1][1] > 0      # on order at the next review, or already arrived
    assert max(stock for _, stock, _ in seen) == 30


def test_servicer_runs_out_of_propellant_and_is_refuelled():
    sc = world({"trips_per_tank": 1, "propellant_kg_per_trip": 40.0})
    out = simulate(sc, seed=1)
    s = out.summary
    assert s["refuels"] > 0
    assert s["propellant_launched_kg"] == pytest.approx(40.0 * s["refuels"])
    assert s["refuels"] <= s["servicing_trips"]               # one tank lasts one trip
    started = s["mass_propellant_burned_kg"] / 40.0             # trips that left (some may wait at the horizon)
    assert started == int(started) and s["refuels"] <= started <= s["servicing_trips"]
    assert (out.events["kind"] == "refuel").sum() == s["refuels"]


def test_servicer_lost_on_failed_trip():
    sc = world({"success_probability": 0.0, "servicer_loss_probability": 1.0}, servicers=1)
    out = simulate(sc, seed=1)
    s = out.summary
    assert s["servicing_failures"] > 0 and s["units_replaced"] == 0
    assert s["servicers_lost"] == s["servicing_failures"]
    assert s["servicers_launched"] >= s["servicers_lost"]          # each lost one replaced once launched
    burned_with = sc.servicing.servicer_dry_mass_kg + tank_kg(sc.servicing) - sc.servicing.propellant_kg_per_trip
    assert s["mass_debris_kg"] >= s["servicers_lost"] * burned_with - 1e-6
    assert s["cost_servicers_usd"] == pytest.approx(65e6 * s["servicers_launched"])
    assert (out.events["kind"] == "servicer_lost").sum() == s["servicers_lost"]
    assert servicer_mass_kg(sc.servicing) * s["servicers_launched"] <= s["mass_launched_kg"]


@pytest.mark.parametrize("boards, problem", [
    (0, "Resupply boards must be a whole number from 1"),
    (2.5, "Resupply boards must be a whole number from 1"),
])
def test_bad_resupply_is_refused(boards, problem):
    with pytest.raises(PolicyFailure, match=problem):
        simulate(world(), seed=0, policy=Ordering(boards=boards))


def test_resupply_needs_servicers():
    with pytest.raises(PolicyFailure, match="Resupply ordered but the scenario has no servicers"):
        simulate(world(servicers=0), seed=0, policy=Ordering(boards=5))


# ----- each invariant can fail --------------------------------------------------------------------
def corrupted(monkeypatch, corrupt) -> InvariantError:
    def spoiled(world, ground, timeline, summary):
        corrupt(world, summary)
        check_replication(world, ground, timeline, summary)

    monkeypatch.setattr(events.engine, "check_replication", spoiled)
    with pytest.raises(InvariantError) as info:
        events.engine.run_replication(world(), ServiceOnThreshold(threshold_fraction=0.25), 1)
    return info.value


def test_mass_launched_but_not_accounted_is_caught(monkeypatch):
    def corrupt(w, s):
        w.counters["mass_launched_kg"] += 1.0
    assert corrupted(monkeypatch, corrupt).invariant == "mass conservation"


def test_propellant_burned_twice_is_caught(monkeypatch):
    def corrupt(w, s):
        w.counters["propellant_burned_kg"] += 50.0
    assert corrupted(monkeypatch, corrupt).invariant == "mass conservation"


def test_summary_mass_unlike_the_state_is_caught(monkeypatch):
    def corrupt(w, s):
        s["mass_debris_kg"] += 1.0
    assert corrupted(monkeypatch, corrupt).invariant == "mass conservation"


def test_board_from_nowhere_is_caught(monkeypatch):
    """A board in the depot that was never launched (its mass counted as launched, so only the board count fails)."""
    def corrupt(w, s):
        w.depot.stock[0] += 1
        w.counters["mass_launched_kg"] += BOARD_KG
        s.update(events.engine.mass_balance(w))
    assert corrupted(monkeypatch, corrupt).invariant == "board conservation"


def test_board_installed_without_leaving_the_depot_is_caught(monkeypatch):
    def corrupt(w, s):
        w.counters["boards_installed"] += 1
    assert corrupted(monkeypatch, corrupt).invariant == "board conservation"


def test_cost_category_left_out_of_the_total_is_caught(monkeypatch):
    def corrupt(w, s):
        s["cost_servicers_usd"] += 1e6
    assert corrupted(monkeypatch, corrupt).invariant == "costs add up"


def test_cargo_rides_module_flights_and_flies_alone_only_when_none_is_due():
    """One module with room to spare on its flight: the day-0 servicer and boards ride it (one
    flight, one ref, one draw). In the small world, cargo that flies alone never flies on a day a
    module flight leaves, and each flight counts once."""
    from tests.scripted import one_module_dict
    r = simulate(parse_scenario(one_module_dict(), "one-module"), seed=0)
    ev, kinds = r.events, r.events["kind"].astype(str)
    first = ev.loc[kinds == "launch"].iloc[0]
    riding = ev.loc[(kinds == "resupply") & (ev["ref"] == first["ref"])]
    ordered_at_start = ev.loc[(kinds == "decision") & (ev["time_days"] == 0) & (ev["modules"].map(len) == 0), "ref"]
    assert sorted(riding["cause"]) == sorted(ordered_at_start)            # the servicer and the boards
    assert (riding["time_days"] == first["time_days"]).all()
    for scenario in (world(), parse_scenario(one_module_dict(), "one-module")):
        r = simulate(scenario, seed=0, policy="service-on-threshold")
        ev, kinds = r.events, r.events["kind"].astype(str)
        flights = kinds.isin(["launch", "launch_failure"])
        alone = ev.loc[kinds.isin(["resupply", "resupply_failure"]) & ~ev["ref"].isin(ev.loc[flights, "ref"])]
        assert not ev.loc[flights, "time_days"].isin(alone["time_days"]).any()
        assert r.summary["launches"] == ev.loc[flights | kinds.isin(["resupply", "resupply_failure"]), "ref"].nunique()


def test_default_reorder_point_covers_installs_while_an_order_waits():
    """servicers x units_per_trip x ceil((longest lead time + launch interval) / trip_days)."""
    from fleet.resupply import resupply_levels
    from runs import load_scenario
    sc = load_scenario("baseline")
    sv = sc.servicing
    wait = max(v.lead_time_days + 365.25 / v.launches_per_year for v in sc.launch.vehicles)
    steps = -(-wait // sv.trip_days)
    assert resupply_levels(sc) == (sv.servicers * sv.units_per_trip * steps, sv.servicers * sv.units_per_trip)
    slow = load_scenario("baseline", servicing={**sv.model_dump(), "trip_days": wait})
    assert resupply_levels(slow)[0] == sv.servicers * sv.units_per_trip
    assert resupply_levels(load_scenario("baseline", servicing={**sv.model_dump(), "resupply": None})) is None
