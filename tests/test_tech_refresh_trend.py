"""Issue 6's monotonic response: faster hardware improvement never lowers the upgrades tech-refresh chooses."""
from fleet.scenario import parse_scenario
from runs import load_scenario, simulate

GROWTHS = (0.1, 0.3, 0.4, 0.6, 1.0)      # hardware.trend.perf_per_watt_growth_per_year
SEEDS = range(4)


def tiny_with_trend(growth: float):
    """`tiny` over 4 years (one servicer), a new generation every year growing by `growth` per year."""
    data = load_scenario("tiny").model_dump(mode="json")
    data["horizon_years"] = 4
    data["hardware"]["trend"] = {**data["hardware"]["trend"], "interval_years": 1,
                                 "perf_per_watt_growth_per_year": growth}
    return parse_scenario(data, f"tiny with trend {growth}")


def test_faster_hardware_improvement_never_lowers_upgrades():
    # tech-refresh upgrades when the newest generation is 2x better per watt (its default factor):
    # at +10%/yr no generation within 4 years qualifies; at +100%/yr one does every year.
    # The same seed at every growth rate (common random numbers); no tolerance: the count must not
    # fall on any seed, since a faster trend only brings qualifying generations earlier.
    for seed in SEEDS:
        upgrades = [simulate(tiny_with_trend(g), seed=seed, policy="tech-refresh").summary["upgrades"]
                    for g in GROWTHS]
        assert upgrades == sorted(upgrades), (seed, upgrades)
        assert upgrades[0] == 0 and upgrades[-1] > 0, (seed, upgrades)
