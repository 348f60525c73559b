"""The scenario schema: every input of a replication, validated, with units in the field names.

A scenario is read from YAML (see `fleet.yamlio`) into these frozen pydantic models. Unknown keys
are refused, and every problem is reported at once by `parse_scenario`.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag,
                      ValidationError, ValidationInfo, field_validator, model_validator)

from fleet import reach
from fleet.eclipse import battery_mass_kg
from fleet.errors import MAX_SHOWN, ScenarioError, clip, shown
from fleet.failure_trace import FailureTrace, FailureTraceError, read_failure_trace
from fleet.tolerances import ceil_count

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1950, le=2300)]
def _printable(text: str) -> str:
    """A name as written, refused if it holds control characters (a terminal escape, NUL, a newline)."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise ValueError("must not contain control characters (terminal escapes, NUL, line breaks)")
    return text


Name = Annotated[str, Field(min_length=1), AfterValidator(_printable)]
FLAT_PROPELLANT_KG = 50.0  # propellant per trip without orbits or an override, kg [E]
MAX_UNITS = 10_000_000   # units in the initial fleet: the fleet table and lifetime draws stay in memory


class Strict(BaseModel):
    """Base of every section: unknown keys are errors, values are immutable, and types are strict
    (no yes/no where a number belongs, no "5" for 5, no 2.5 for a whole number)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ModuleDesign(Strict):
    """One satellite data-center module: a bus, a solar array and compute units."""

    units: Annotated[int, Field(gt=0, le=100_000, description="compute units (accelerator boards) per module")]
    bus_mass_kg: Positive = Field(description="mass of the bus, array and structure, without units")
    solar_array_kw: Positive = Field(description="array power at beginning of life, kW")
    array_degradation_per_year: Fraction = Field(description="fractional loss of array power per year")
    eclipse_fraction: Fraction | None = Field(
        None, description="fraction of time in Earth's shadow, typed in: required without `orbits`; with `orbits` "
                          "it overrides the shadow derived from the shells' geometry (default: the geometry)")
    eclipse_power: Literal["throttle", "battery"] = Field(
        "throttle", description="in shadow, throttle: compute idles; battery: compute runs on batteries sized for "
                                "the longest shadow of the run (their mass and price added to the module; needs "
                                "`orbits`)")
    battery_wh_per_kg: Positive = Field(
        150.0, description="battery energy per kg with its packaging, Wh/kg [E: space Li-ion cells of "
                           "150-200 Wh/kg, less packaging; docs/reference-figures.md, Power]")
    battery_usd_per_kwh: NonNegative = Field(
        2_000.0, description="battery price per kWh of capacity, $/kWh [E: space-qualified packs at about 15x "
                             "terrestrial pack prices of about $140/kWh; docs/reference-figures.md, Power]")
    battery_depth_of_discharge: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        0.3, description="fraction of the battery's energy one shadow may use [E: a LEO battery cycles about "
                         "5,500 times a year; 20-40% depth keeps it for a design life; docs/reference-figures.md, Power]")
    commissioning_days: NonNegative = Field(description="days from launch to operation")
    design_life_years: Positive = Field(description="age at which a module is deorbited")
    data_buffer_tb: NonNegative = Field(
        description="on-board storage for results awaiting downlink, TB; the fleet's backlog is pooled, and a module "
                    "that stops (fails or is deorbited) takes its equal share of it, lost")


class FleetSpec(Strict):
    """The constellation: how much compute it must hold and how it is grouped."""

    target_power_mw: Positive = Field(description="compute power of the initial fleet; sets the target capacity")
    clusters: Annotated[int, Field(gt=0, le=10_000, description="formations (orbital planes)")]
    module: ModuleDesign


class Generation(Strict):
    """A hardware generation of compute units."""

    name: Name
    year_available: Year
    pflops_per_unit: Positive
    power_kw_per_unit: Positive
    mass_kg_per_unit: Positive
    price_usd_per_unit: NonNegative


class TechnologyTrend(Strict):
    """Future generations, extrapolated from the newest listed one."""

    interval_years: Positive = Field(description="years between generations; 0 generations if beyond horizon")
    perf_per_watt_growth_per_year: NonNegative = Field(description="e.g. 0.29 for +29%/yr")
    price_change_per_year: Annotated[float, Field(gt=-1, lt=10, allow_inf_nan=False)] = 0.0
    mass_change_per_year: Annotated[float, Field(gt=-1, le=0, allow_inf_nan=False)] = Field(
        0.0, description="fractional change of mass per unit per year, e.g. -0.05 (never a gain: "
                         "modules must still fit the vehicles)")


class Hardware(Strict):
    generations: list[Generation] = Field(min_length=1)
    trend: TechnologyTrend | None = None

    @field_validator("generations")
    @classmethod
    def _ordered(cls, gens: list[Generation]) -> list[Generation]:
        years = [g.year_available for g in gens]
        if years != sorted(years):
            raise ValueError("generations must be listed in order of year_available")
        names = [g.name for g in gens]
        if len(set(names)) != len(names):
            raise ValueError("generation names must be unique")
        return gens


class PriceLearningCurve(Strict):
    """Wright's law on cumulative mass launched worldwide, which grows by `mass_growth_per_year`:
    price(y) = max(floor, usd_per_kg * (1 + g)^((y - year) * log2(1 - learning_rate))), flat before `year`.
    """

    learning_curve: Literal[True] = Field(description="marks this form; write `learning_curve: true`")
    year: Year = Field(description="calendar year of the reference price")
    usd_per_kg: NonNegative = Field(description="price in the reference year, $/kg")
    learning_rate: Fraction = Field(description="fractional price drop per doubling of cumulative mass launched")
    mass_growth_per_year: NonNegative = Field(description="yearly growth of cumulative mass launched worldwide")
    floor_usd_per_kg: NonNegative = Field(0.0, description="price never falls below this, $/kg")

    @model_validator(mode="after")
    def _floor_below_price(self) -> "PriceLearningCurve":
        if self.floor_usd_per_kg > self.usd_per_kg:
            raise ValueError("floor_usd_per_kg must not exceed usd_per_kg")
        return self

    def usd_per_kg_in(self, year: float) -> float:
        """Price per kg in calendar `year`."""
        dt = max(0.0, year - self.year)
        exponent = dt * math.log2(1.0 - self.learning_rate)
        return max(self.floor_usd_per_kg, self.usd_per_kg * (1.0 + self.mass_growth_per_year) ** exponent)


def _price_form(value: Any) -> str:
    if isinstance(value, PriceLearningCurve) or (isinstance(value, dict) and "learning_curve" in value):
        return "learning"
    return "table"


YearKey = Annotated[int, Field(ge=1950, le=2300, strict=False)]   # JSON turns keys into text
PriceTable = Annotated[dict[YearKey, NonNegative], Field(min_length=1)]
LaunchPrice = Annotated[Union[Annotated[PriceTable, Tag("table")], Annotated[PriceLearningCurve, Tag("learning")]],
                        Discriminator(_price_form)]


class LaunchVehicle(Strict):
    """A launch vehicle. A flight costs its price whether full or not: either `price_per_flight_usd`,
    or `price_per_kg_usd` times the payload mass with `minimum_charge_usd` as the least a flight costs."""

    name: Name
    payload_kg: Positive
    price_per_kg_usd: LaunchPrice | None = Field(
        None, description="price by calendar year, linear in between, flat outside; or a learning curve "
                          "{learning_curve: true, year, usd_per_kg, learning_rate, mass_growth_per_year, "
                          "floor_usd_per_kg}. Give this or price_per_flight_usd")
    minimum_charge_usd: PriceTable | None = Field(
        None, description="with price_per_kg_usd: the least a flight costs, by calendar year "
                          "(none: a flight costs its payload mass times the price per kg)")
    price_per_flight_usd: PriceTable | None = Field(
        None, description="price of a flight by calendar year, however full; instead of price_per_kg_usd")
    success_probability: Probability
    launches_per_year: Positive
    lead_time_days: NonNegative = Field(description="days from order to the earliest launch")
    available_from_year: Year
    payload_altitude_km: Annotated[float, Field(ge=100, le=5_000, allow_inf_nan=False)] = Field(
        200.0, description="altitude of the circular orbit payload_kg is quoted for; with `orbits` the vehicle lifts "
                           "less to a higher shell (`fleet.reach.lift_kg`) [E: quoted LEO payloads are to about 200 km]")

    @field_validator("price_per_kg_usd", "minimum_charge_usd", "price_per_flight_usd")
    @classmethod
    def _years_in_order(cls, table: dict[int, float] | PriceLearningCurve | None) -> Any:
        if table is None or isinstance(table, PriceLearningCurve):
            return table
        years = list(table)
        if years != sorted(set(years)):
            raise ValueError("years must be listed in increasing order")
        return table

    @model_validator(mode="after")
    def _one_price(self) -> "LaunchVehicle":
        if (self.price_per_kg_usd is None) == (self.price_per_flight_usd is None):
            raise ValueError("give either price_per_kg_usd or price_per_flight_usd (exactly one)")
        if self.minimum_charge_usd is not None and self.price_per_flight_usd is not None:
            raise ValueError("minimum_charge_usd goes with price_per_kg_usd, not with price_per_flight_usd")
        return self


class Launch(Strict):
    """How modules reach orbit. Every launch order has a due day (its own, or the order day plus
    `max_wait_days`). Among the vehicles that can launch it by then, the queue takes the one with the
    lowest expected cost per module delivered: the flight's price (full or not) over the modules on
    board, over its success probability. If none can launch by the due day, it takes the earliest."""

    vehicles: list[LaunchVehicle] = Field(min_length=1)
    max_wait_days: NonNegative = Field(
        180.0, description="an order without its own due day is due this many days after it is placed: "
                           "the queue flies it on the vehicle with the lowest expected cost per module "
                           "delivered among those that can launch it by then, else on the earliest")


class Exponential(Strict):
    distribution: Literal["exponential"]
    rate_per_year: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = Field(
        description="annualised failure rate (at most 1000 per year)")


class Weibull(Strict):
    distribution: Literal["weibull"]
    shape: Annotated[float, Field(gt=0, le=50, allow_inf_nan=False)]
    scale_years: Annotated[float, Field(ge=0.001, allow_inf_nan=False)]


Lifetime = Annotated[Union[Exponential, Weibull], Field(discriminator="distribution")]


class Radiation(Strict):
    """Total ionising dose raising the unit hazard: extra hazard grows linearly with dose."""

    dose_rate_rad_per_year: NonNegative | None = Field(
        None, description="dose rate behind the module's shielding, rad a year; default with `orbits`: the "
                          "estimate for the shells' altitude (`fleet.orbits.dose_rate_rad_per_year`)")
    hazard_per_year_per_krad: NonNegative = Field(
        description="extra unit failures per unit-year for each krad of accumulated dose")


class SolarParticleEvents(Strict):
    """Common-cause radiation storms, more frequent near solar maximum."""

    mean_rate_per_year: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
    cycle_years: Positive = 11.0
    cycle_amplitude: Probability = Field(0.8, description="rate = mean * (1 + A cos(2 pi (year - max)/cycle))")
    solar_max_year: Annotated[float, Field(ge=1900, le=2300, allow_inf_nan=False)] = 2025.0
    unit_kill_probability: Probability = Field(description="chance that each working unit of a hit module fails")
    module_fraction_hit: Probability = 1.0


class Debris(Strict):
    strikes_per_module_year: NonNegative = Field(description="rate of module-destroying debris strikes")


class Failures(Strict):
    unit: Lifetime
    bus: Lifetime
    radiation: Radiation | None = None
    solar_particle_events: SolarParticleEvents | None = None
    debris: Debris | None = None
    trace: str | None = Field(
        None, description="failures to replay: a CSV or Parquet file (path relative to the scenario file) with "
                          "columns module, slot, day and optionally kind (unit or bus); see `fleet.failure_trace`")
    trace_mode: Literal["replace", "add"] = Field(
        "replace", description="replace: units and buses the trace does not list never fail (boards installed "
                               "later still draw from unit unless listed); add: the distributions stay and the "
                               "trace adds its failures")
    _replay: FailureTrace | None = PrivateAttr(default=None)

    @field_validator("trace")
    @classmethod
    def _readable(cls, trace: str | None, info: ValidationInfo) -> str | None:
        """The trace's absolute path (so a saved scenario still finds it), its file read and checked."""
        if trace is None:
            return None
        base = (info.context or {}).get("base_dir")
        try:
            path = Path(trace).expanduser()
            path = (Path(base) / path if base is not None and not path.is_absolute() else path).resolve()
            _read_trace(path, *_stamp(path))
        except FailureTraceError as exc:
            raise ValueError(str(exc)) from None
        except (OSError, ValueError, RuntimeError) as exc:   # no such path can exist (too long, a NUL byte)
            raise ValueError(f"{clip(trace)}: not a file that can be read ({type(exc).__name__})") from None
        return str(path)

    @model_validator(mode="after")
    def _load(self) -> "Failures":
        if self.trace is not None:
            path = Path(self.trace)
            self._replay = _read_trace(path, *_stamp(path))
        return self

    @property
    def replay(self) -> FailureTrace | None:
        """The failures to replay, read from `trace` (None: no trace)."""
        return self._replay


def _stamp(path: Path) -> tuple[int, int]:
    """(modification time in ns, size) of a file, (0, 0) if it cannot be read: the trace cache's key."""
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return 0, 0


@functools.lru_cache(maxsize=8)
def _read_trace(path: Path, _mtime_ns: int, _size: int) -> FailureTrace:
    """A trace file, read once per version of it (validation and loading both ask)."""
    return read_failure_trace(path)


class ResupplyRule(Strict):
    """The depot's standing order for replacement boards, checked at the start and for a generation
    when one of its module flights launches, when a trip that needs it is sent and when a trip draws its boards: if boards in stock plus on order are
    at most `reorder_point_boards`, order `order_boards` more (or enough to exceed the reorder point)."""

    reorder_point_boards: Annotated[int, Field(ge=0, le=10_000_000)] | None = Field(
        None, description="stock position at or below which boards are ordered (default: what the servicers can "
                          "install while an order waits for its flight: servicers x units_per_trip x the trips of "
                          "trip_days that fit in the longest vehicle lead time plus launch interval, rounded up)")
    order_boards: Annotated[int, Field(gt=0, le=10_000_000)] | None = Field(
        None, description="boards per order (default: servicers x units_per_trip, a full load for every servicer)")


class Servicing(Strict):
    """Servicers, their trips, the board depot and propellant. Servicers are bought and launched at the
    start (and to replace one lost); each carries propellant for `trips_per_tank` trips and is refuelled
    by a propellant launch when it cannot fly another trip. Replacement boards wait in orbit at one
    depot; a trip installs only boards in stock (see docs/design.md, "Mass and money")."""

    servicers: Annotated[int, Field(ge=0, le=10_000)]
    trip_days: Annotated[float, Field(ge=0.01, allow_inf_nan=False)] = Field(
        description="round trip: half out, half back (at least 0.01 days). With `orbits`: the phasing out to a "
                    "cluster takes work_at_fraction of it (plus any wait across planes); the servicer stays busy the "
                    "rest of it after the work (then flies back if return_to_depot)")
    units_per_trip: Annotated[int, Field(gt=0, le=10_000_000)]
    success_probability: Probability
    cost_per_trip_usd: NonNegative
    trip_time_distribution: Literal["fixed", "exponential"] = Field(
        "fixed", description="fixed: every trip takes trip_days; exponential: each trip's time is drawn "
                             "from an exponential distribution with mean trip_days")
    work_at_fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        0.5, description="fraction of a trip flown before the work is done (0.5: half out, half back; "
                         "1: a servicer kept with the fleet, free again as soon as the work is done)")
    servicer_price_usd: NonNegative = Field(
        65_000_000.0, description="capital cost of one servicer, booked when it is launched (REFERENCE Servicing: "
                                  "MEV about $13M per year of service over its 5-year life)")
    servicer_dry_mass_kg: Positive = Field(
        2_300.0, description="launch mass of one servicer without propellant (REFERENCE Servicing: MEV-1 "
                             "2,300 kg)")
    propellant_kg_per_trip: NonNegative | None = Field(
        None, description="a flat figure of propellant one trip burns, overriding the rocket equation. Default: "
                          "with `orbits`, each leg burns by the rocket equation for its Δv (servicer, tank and "
                          f"boards at `isp_s`); without, {FLAT_PROPELLANT_KG:g} kg [E: a 15 t round trip at 50 m/s, "
                          "Isp 1,500 s: 15 t x (1 - exp(-50 / 14,700)) = 51 kg]")
    trips_per_tank: Annotated[int, Field(gt=0, le=1_000_000)] = Field(
        20, description="trips a full tank lasts at the flat figure, which sets the tank when tank_kg is not given; "
                        "a servicer that cannot fly its next leg waits for a propellant launch [E]")
    tank_kg: Positive | None = Field(
        None, description="propellant a full tank holds, kg (default: trips_per_tank x the flat propellant figure)")
    isp_s: Positive = Field(
        1_500.0, description="specific impulse of the servicer's propulsion, s [E: electric propulsion]")
    max_wait_days: NonNegative = Field(
        90.0, description="with `orbits`: longest a trip across planes may wait for differential J2 precession to "
                          "bring the planes together instead of a direct plane change [E]")
    rendezvous_delta_v_m_s: NonNegative = Field(
        10.0, description="with `orbits`: Δv of the approach, proximity operations and departure of each leg, on top "
                          "of its transfer, m/s [E]")
    return_to_depot: bool = Field(
        False, description="with `orbits`: after its work a servicer flies back to the depot's plane (a second "
                           "leg); otherwise it stays parked in its last target's plane")
    depot_cluster: Annotated[int, Field(ge=0, le=10_000)] = Field(
        0, description="with `orbits`: the cluster whose plane the depot flies in; servicers start there")
    servicer_loss_probability: Probability = Field(
        0.1, description="chance that a failed trip also loses its servicer, left as debris [E]")
    resupply: ResupplyRule | None = Field(
        default_factory=ResupplyRule,
        description="the depot's standing order for boards; null: boards come only from Resupply actions")


class Station(Strict):
    name: Name
    downlink_gbps: Positive
    clear_probability: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    mean_outage_hours: Annotated[float, Field(ge=0.1, allow_inf_nan=False)] = Field(
        description="mean length of a cloudy spell, hours (at least 0.1)")
    contact_fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = Field(
        None, description="fraction of the day each cluster is in view of the station; required without "
                          "`orbits`, and with `orbits` it overrides the fraction derived from the geometry")
    latitude_deg: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = Field(
        None, description="geodetic latitude, degrees north (needed with `orbits` unless contact_fraction is given)")
    longitude_deg: Annotated[float, Field(ge=-180, le=360, allow_inf_nan=False)] | None = Field(
        None, description="longitude, degrees east")
    min_elevation_deg: Annotated[float, Field(ge=0, lt=90, allow_inf_nan=False)] = Field(
        10.0, description="lowest elevation above the horizon at which the link closes, degrees")


class Ground(Strict):
    stations: list[Station] = Field(min_length=1)
    isl_gbps: NonNegative = Field(description="inter-satellite link between neighbouring clusters; 0 for none. With the "
                                              "backlog in one pool it does not change the downlink capacity "
                                              "(fleet/ground.py)")
    data_tb_per_pflops_day: NonNegative = Field(
        description="results produced per PFLOPS-day of compute used (idle surplus produces none), TB; "
                    "lost and pending compute are converted at this rate")

    @field_validator("stations")
    @classmethod
    def _unique(cls, stations: list[Station]) -> list[Station]:
        names = [s.name for s in stations]
        if len(set(names)) != len(names):
            raise ValueError("station names must be unique")
        return stations


class Shell(Strict):
    """Circular orbits at one altitude: inclined, or sun-synchronous at a local time of the ascending node."""

    name: Name
    altitude_km: Annotated[float, Field(ge=160, le=5_000, allow_inf_nan=False)] = Field(
        description="altitude above the equatorial radius, km")
    inclination_deg: Annotated[float, Field(ge=0, le=180, allow_inf_nan=False)] | None = Field(
        None, description="inclination, degrees; give this or sun_synchronous_ltan_h")
    sun_synchronous_ltan_h: Annotated[float, Field(ge=0, lt=24, allow_inf_nan=False)] | None = Field(
        None, description="sun-synchronous, with this local time of the ascending node, hours (6 or 18: dawn-dusk)")
    planes: Annotated[int, Field(gt=0, le=1_000)] = Field(1, description="orbital planes of the shell")
    node_spread_deg: Annotated[float, Field(ge=0, le=360, allow_inf_nan=False)] = Field(
        360.0, description="planes' nodes are spread evenly over this arc (Walker delta: 360, star: 180)")
    phasing: Annotated[int, Field(ge=0, le=1_000)] = Field(
        0, description="Walker phasing factor F: clusters in neighbouring planes are offset by F x 360 / clusters "
                       "degrees along the orbit")
    clusters: Annotated[int, Field(gt=0, le=10_000)] | None = Field(
        None, description="clusters flying in this shell; cluster k of the shell flies in plane k mod planes. "
                          "Default, for a single shell only: all of fleet.clusters")

    @model_validator(mode="after")
    def _one_kind(self) -> "Shell":
        if (self.inclination_deg is None) == (self.sun_synchronous_ltan_h is None):
            raise ValueError("give either inclination_deg or sun_synchronous_ltan_h")
        if self.sun_synchronous_ltan_h is not None and self.altitude_km > 5_900:
            raise ValueError("altitude_km: no sun-synchronous orbit above about 5,900 km")
        return self


class Orbits(Strict):
    """Where the fleet flies. Clusters are numbered across shells in the order listed."""

    shells: list[Shell] = Field(min_length=1)
    contact_days: Annotated[float, Field(ge=1, le=60, allow_inf_nan=False)] = Field(
        10.0, description="days over which passes are propagated to derive each station's contact fraction")
    ballistic_coefficient_kg_m2: Positive = Field(
        25.0, description="mass over drag coefficient times area of a dead module, kg/m^2: sets its natural decay "
                          "time (`fleet.reach.decay_years`) [E: a module with large arrays, 2.2 x mean area]")
    deorbit_perigee_km: Annotated[float, Field(ge=0, le=200, allow_inf_nan=False)] = Field(
        50.0, description="perigee of a deorbit burn's ellipse, km [E: a prompt, targeted re-entry]")
    deorbit_isp_s: Positive = Field(
        220.0, description="specific impulse of a module's disposal propulsion, s [E: hydrazine]; its propellant's "
                           "launch is booked with each deorbit")
    eclipse_block_days: Annotated[int, Field(ge=1, le=30)] = Field(
        1, description="the shadow fraction of each shell is held constant over blocks of this many days (compute "
                       "integrates exactly within a block; eclipse seasons change the fleet's compute from block "
                       "to block)")

    @field_validator("shells")
    @classmethod
    def _unique(cls, shells: list[Shell]) -> list[Shell]:
        names = [s.name for s in shells]
        if len(set(names)) != len(names):
            raise ValueError("shell names must be unique")
        return shells


class Economics(Strict):
    bus_price_usd: NonNegative = Field(description="bus, array and integration per module, without units")
    operations_usd_per_module_year: NonNegative
    ground_usd_per_station_year: NonNegative
    discount_rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    module_failure_usd: NonNegative = Field(
        0.0, description="cost booked when a module dies in orbit (debris removal, liability, insurance)")
    deorbit_usd_per_module: NonNegative = Field(
        0.0, description="cost booked for each module deorbited, by a policy or at the end of its design "
                         "life (disposal propellant, operations, tracking)")


class EarthReference(Strict):
    """The terrestrial data center a run is compared with (see `fleet.earth`): it holds the same
    compute target over the same horizon, buying the same hardware generations as they appear."""

    capex_usd_per_mw: NonNegative = Field(
        10_000_000.0, description="facility (building, power, cooling, backup) per MW of IT power, $/MW")
    facility_life_years: Positive = Field(20.0, description="facility rebuilt after this many years")
    electricity_usd_per_kwh: NonNegative = Field(0.04, description="price of grid electricity, $/kWh")
    pue: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] = Field(
        1.2, description="power usage effectiveness: facility power over IT power")
    hardware_refresh_years: Positive = Field(5.0, description="all units replaced by the newest generation this often")
    unit_failure_rate_per_year: NonNegative = Field(0.04, description="permanent unit failures per unit-year")
    repair_days: NonNegative = Field(3.0, description="mean time to replace a failed unit on site, days")
    operations_usd_per_mw_year: NonNegative = Field(0.0, description="staff, maintenance, network per MW of IT power")
    cost_of_capital: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        0.08, description="discount rate of the terrestrial investment")


class Demand(Strict):
    """The compute users want over time (`fleet.demand`). The fleet runs min(capacity, demand), in
    sunlight: capacity above demand is idle surplus and produces no results, and only the compute
    used whose results reach the ground counts as delivered (availability = delivered / demand).
    The policies that launch modules aim at it, and the Earth reference serves it. Absent: constant, equal to
    `fleet.target_power_mw` in MW of the newest hardware, so better hardware means more PFLOPS
    wanted. It changes only at whole steps (listed years, anniversaries, new generations)."""

    unit: Literal["mw", "pflops"] = Field(
        "mw", description="mw: MW of the newest hardware generation available at each instant; pflops: PFLOPS")
    level: Positive | None = Field(
        None, description="demand from start_day, in `unit`; default fleet.target_power_mw (unit mw only)")
    by_year: PriceTable | None = Field(
        None, description="demand from 1 January of each listed calendar year until the next listed one, in "
                          "`unit` (the first value before the first listed year); instead of level")
    growth_per_year: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False)] | None = Field(
        None, description="demand multiplies by (1 + this) at each anniversary of start_day")
    start_day: NonNegative = Field(0.0, description="day from which users want compute; none before")

    @model_validator(mode="after")
    def _one_form(self) -> "Demand":
        if self.by_year is not None and (self.level is not None or self.growth_per_year is not None):
            raise ValueError("by_year replaces level and growth_per_year: give one form")
        if self.unit == "pflops" and self.level is None and self.by_year is None:
            raise ValueError("level: required when unit is pflops")
        if self.by_year is not None and list(self.by_year) != sorted(self.by_year):
            raise ValueError("by_year: years must be in increasing order")
        return self


class PolicySpec(Strict):
    name: Name = Field(description="registered name or module:Class / path.py:Class")
    params: dict[str, Any] = Field(default_factory=dict)


class Scenario(Strict):
    """Everything one replication needs besides the seed."""

    name: Name
    description: str = ""
    start_year: Year
    horizon_years: Annotated[float, Field(gt=0, le=200, allow_inf_nan=False)]
    timeline_step_days: Annotated[float, Field(ge=0.01, le=3650, allow_inf_nan=False)] = 30.0
    fleet: FleetSpec
    hardware: Hardware
    launch: Launch
    failures: Failures
    servicing: Servicing
    ground: Ground
    economics: Economics
    policy: PolicySpec
    earth: EarthReference = Field(default_factory=EarthReference,
                                  description="the terrestrial reference; defaults when absent")
    demand: Demand = Field(default_factory=Demand,
                           description="the compute users want; default: constant fleet.target_power_mw")
    orbits: Orbits | None = Field(None, description="shells and planes; ground contacts follow from them")

    @model_validator(mode="after")
    def _consistent(self) -> "Scenario":
        self._check_orbits()
        first = self.hardware.generations[0]
        if first.year_available > self.start_year:
            raise ValueError(
                f"hardware.generations: the first generation ({first.name}) must be available by start_year")
        for i, gen in enumerate(self.hardware.generations[1:], start=1):
            if gen.year_available <= self.start_year:
                raise ValueError(
                    f"hardware.generations.{i}.year_available: generation {gen.name} is available by start_year "
                    f"({gen.year_available} <= {self.start_year}); only the first listed generation may be, "
                    "the later ones are a time series after the start")
        if min(v.available_from_year for v in self.launch.vehicles) > self.start_year:
            raise ValueError("launch.vehicles: no vehicle is available at start_year")
        lift = max(lift_kg(self, v) for v in self.launch.vehicles)
        for g in self.hardware.generations:
            mass = module_mass_kg(self, g)
            if mass > lift:
                raise ValueError(f"launch.vehicles: a module with {g.name} units ({mass:.0f} kg) is heavier "
                                 f"than any vehicle can lift ({lift:.0f} kg)")
        replay = self.failures.replay
        if replay is not None and replay.max_slot >= self.fleet.module.units:
            raise ValueError(f"failures.trace: {self.failures.trace}: row {replay.max_slot_row}: slot {replay.max_slot} "
                             f"is beyond the module's units (slots 0 to {self.fleet.module.units - 1})")
        sv = self.servicing
        if sv.servicers and servicer_mass_kg(sv) > lift:
            raise ValueError(f"servicing: a fuelled servicer ({servicer_mass_kg(sv):.0f} kg) is heavier than any "
                             f"vehicle can lift ({lift:.0f} kg)")
        modules = self.fleet.target_power_mw * 1000.0 / (self.fleet.module.units * first.power_kw_per_unit)
        if not modules <= 1_000_000:
            raise ValueError("fleet.target_power_mw: more than a million modules; reduce the target")
        if modules * self.fleet.module.units > MAX_UNITS:
            raise ValueError(f"fleet.target_power_mw: more than {MAX_UNITS:,} units in the initial fleet; "
                             "reduce the target or the units per module")
        return self

    def _check_orbits(self) -> None:
        stations = self.ground.stations
        radiation = self.failures.radiation
        if self.orbits is None and radiation is not None and radiation.dose_rate_rad_per_year is None:
            raise ValueError("failures.radiation.dose_rate_rad_per_year: required without an `orbits` section")
        if self.orbits is None:
            for i, s in enumerate(stations):
                if s.contact_fraction is None:
                    raise ValueError(f"ground.stations.{i}.contact_fraction: required without an `orbits` section")
            if self.fleet.module.eclipse_fraction is None:
                raise ValueError("fleet.module.eclipse_fraction: required without an `orbits` section")
            if self.fleet.module.eclipse_power == "battery":
                raise ValueError("fleet.module.eclipse_power: battery needs an `orbits` section (the battery is "
                                 "sized for the longest shadow of the shells)")
            return
        if radiation is not None and radiation.dose_rate_rad_per_year is None:
            if len({shell.altitude_km for shell in self.orbits.shells}) > 1:
                raise ValueError("failures.radiation.dose_rate_rad_per_year: the shells fly at different "
                                 "altitudes; give the dose rate")
        if self.servicing.depot_cluster >= self.fleet.clusters:
            raise ValueError(f"servicing.depot_cluster: {self.servicing.depot_cluster} is not a cluster (0 to "
                             f"{self.fleet.clusters - 1})")
        shells = self.orbits.shells
        if len(shells) > 1 and any(shell.clusters is None for shell in shells):
            raise ValueError("orbits.shells: with several shells, give each one's clusters")
        flying = sum(shell.clusters or self.fleet.clusters for shell in shells)
        if flying != self.fleet.clusters:
            raise ValueError(f"orbits.shells: the shells hold {flying} clusters but fleet.clusters is "
                             f"{self.fleet.clusters}")
        for i, s in enumerate(stations):
            if s.contact_fraction is None and (s.latitude_deg is None or s.longitude_deg is None):
                raise ValueError(f"ground.stations.{i}: give latitude_deg and longitude_deg (or contact_fraction)")


def module_mass_kg(scenario: Scenario, generation: Generation) -> float:
    """Launch mass of one module fitted with units of `generation`, kg."""
    m = scenario.fleet.module
    return m.bus_mass_kg + battery_mass_kg(scenario) + m.units * generation.mass_kg_per_unit


def lift_kg(scenario: Scenario, vehicle: LaunchVehicle) -> float:
    """What `vehicle` lifts to the scenario's highest shell (its quoted payload without `orbits`), kg."""
    if scenario.orbits is None:
        return vehicle.payload_kg
    top = max(shell.altitude_km for shell in scenario.orbits.shells)
    return reach.lift_kg(vehicle.payload_kg, vehicle.payload_altitude_km, top)


def at_altitude(scenario: Scenario) -> Scenario:
    """The scenario with each vehicle's payload what it lifts to the highest shell (`lift_kg`), as the
    engine flies it: every flight is sized for the highest shell, exact when all fly at one altitude."""
    if scenario.orbits is None:
        return scenario
    top = max(shell.altitude_km for shell in scenario.orbits.shells)
    if all(v.payload_altitude_km >= top for v in scenario.launch.vehicles):
        return scenario
    vehicles = [v.model_copy(update={"payload_kg": lift_kg(scenario, v), "payload_altitude_km": max(top, v.payload_altitude_km)})
                for v in scenario.launch.vehicles]
    return scenario.model_copy(update={"launch": scenario.launch.model_copy(update={"vehicles": vehicles})})


def flat_propellant_kg(servicing: Servicing) -> float:
    """Propellant a trip burns by the flat figure (the scenario's, or the default), kg."""
    given = servicing.propellant_kg_per_trip
    return FLAT_PROPELLANT_KG if given is None else given


def tank_kg(servicing: Servicing) -> float:
    """Propellant a servicer's full tank holds, kg."""
    if servicing.tank_kg is not None:
        return servicing.tank_kg
    return flat_propellant_kg(servicing) * servicing.trips_per_tank


def servicer_mass_kg(servicing: Servicing) -> float:
    """Launch mass of one servicer with a full tank, kg."""
    return servicing.servicer_dry_mass_kg + tank_kg(servicing)


def modules_for_target(scenario: Scenario) -> int:
    """Modules of the first generation needed for the target compute power."""
    m = scenario.fleet.module
    per_module_kw = m.units * scenario.hardware.generations[0].power_kw_per_unit
    return max(1, ceil_count(scenario.fleet.target_power_mw * 1000.0 / per_module_kw))


def parse_scenario(data: Any, source: str) -> Scenario:
    """Validate a mapping as a Scenario; raise ScenarioError listing every problem in `source`."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "the file must hold a mapping of sections")])
    try:
        return Scenario.model_validate(data, context={"base_dir": _folder_of(source)})
    except ValidationError as exc:
        raise ScenarioError(source, _problems(exc)) from None


def _folder_of(source: str) -> Path | None:
    """The folder of the scenario file `source`, against which its relative paths are read (None: not a
    file; they are read against the working folder)."""
    try:
        file = Path(source)
        return file.parent if file.is_file() else None
    except (OSError, ValueError):        # a name too long or holding a NUL byte names no file
        return None


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # A discriminated union adds the chosen tag to the path; it is not a field the user wrote.
        loc = [p for p in loc if p not in ("exponential", "weibull", "table", "learning")]
        msg = err["msg"]
        for value in (err.get("ctx") or {}).values():   # a value the message quotes, e.g. a union's tag
            if isinstance(value, str) and len(value) > MAX_SHOWN:
                msg = msg.replace(value, clip(value))
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        if "input" in err and err["type"] not in ("missing", "extra_forbidden") and not isinstance(
                err["input"], (dict, list)):
            msg += f" (got {shown(err['input'])})"
        out.append((".".join(loc), msg.removeprefix("Value error, ")))
    return out
