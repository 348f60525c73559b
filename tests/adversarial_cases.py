"""The adversarial cases, in four families: scenario files, experiment files, command-line arguments
and user policies. Fixed lists of the known hard cases, plus mutations drawn from a seeded generator,
so the same cases come out on every run and on every machine.

Every case is short: the tiny scenario (or a copy of it) over at most 1.5 simulated years, sweeps of
a handful of units on the serial backend, and no network address but 127.0.0.1.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import random
import textwrap

import yaml

from runs.api import SCENARIO_DIR
from tests.adversarial import Case, Fifo, Fleet, Folder, Symlink, Truncate

SEED = 20261129
TINY_TEXT = (SCENARIO_DIR / "tiny.yaml").read_text()
TINY = yaml.safe_load(TINY_TEXT)
MB = 1 << 20
ESC_NAME = "\x1b[2J\x1b[31mred\x1b]0;owned\x07\x9b"   # clear screen, colour, window title, C1 CSI
SERIAL = ("--backend", "serial", "--no-progress")


def dump(data) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8", "surrogatepass")


def key_paths(node, prefix=()) -> list[tuple]:
    """Every key path in nested dicts and lists, parents before children."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(key_paths(v, prefix + (k,)))
    return out


def edited(data, path: tuple, how: str, value=None):
    """A deep copy of `data` with the node at `path` deleted or replaced by `value`, or given a new
    item `value` = (key, value) (\"add\")."""
    data = copy.deepcopy(data)
    if how == "add":
        node = data
        for k in path:
            node = node[k]
        node[value[0]] = value[1]
        return data
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    if how == "delete":
        del parent[path[-1]]
    elif how == "replace":
        parent[path[-1]] = value
    return data


def nested_list(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def nested_map(depth: int):
    value = 1
    for _ in range(depth):
        value = {"k": value}
    return value


def alias_bomb(levels: int) -> str:
    """The billion laughs as one YAML flow value of a few hundred bytes: a list whose k-th item
    holds nine aliases of the item before, so the last expands to 9**`levels` strings."""
    items = ['&a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]']
    items += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


WRONG_VALUES = ["ten", "", "1e3", "nan", [1, 2], {"a": 1}, True, None, -1, 0, 1e308, -1e308, 10 ** 30,
                2 ** 63, -(2 ** 63), float("nan"), float("inf"), float("-inf"), 1e-300, 0.5, "2030-01-01",
                nested_list(60), "x" * 5000]


# ----- scenario files ------------------------------------------------------------------------------
def scenario_cases() -> list[Case]:
    """Files given to `fleet run` (and a few to trace and compare): mutations of the shipped tiny scenario."""
    out: list[tuple[str, object]] = []        # (what, content or (content, argv-maker))

    def add(what: str, content, command: str = "run", years: str = "0.3", extra_files=(), names=()):
        out.append((what, content, command, years, extra_files, names))

    # the file itself
    add("empty", b"")
    add("whitespace", b"   \n\t\n  \n")
    add("comment-only", b"# nothing here\n")
    add("document-marker-only", b"---\n...\n")
    add("two-documents", TINY_TEXT.encode() + b"\n---\n" + TINY_TEXT.encode())
    add("scalar-document", b"42\n")
    add("list-document", b"- 1\n- 2\n")
    add("null-document", b"~\n")
    add("binary-random", random.Random(SEED).randbytes(4096))
    add("nul-bytes", TINY_TEXT.encode()[:300] + b"\x00\x00\x00" + TINY_TEXT.encode()[300:])
    add("latin1-comment", TINY_TEXT.encode() + "# caf\xe9 cr\xe8me\n".encode("latin-1"))
    add("utf16-bom", TINY_TEXT.encode("utf-16"))
    add("utf8-bom", b"\xef\xbb\xbf" + TINY_TEXT.encode())
    add("crlf-line-ends", TINY_TEXT.replace("\n", "\r\n").encode())
    add("tab-indent", TINY_TEXT.replace("  units: 16", "\tunits: 16").encode())
    add("truncated-half", TINY_TEXT.encode()[: len(TINY_TEXT) // 2])
    add("over-10-MB", TINY_TEXT.encode() + b"# " + b"x" * (11 * MB) + b"\n")
    add("flow-nesting-5000", TINY_TEXT.encode() + b"extra: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    add("block-nesting-300", dump({**TINY, "description": nested_map(300)}))
    add("list-nesting-90", dump(edited(TINY, ("fleet", "clusters"), "replace", nested_list(90))))
    # YAML features
    add("python-tag", TINY_TEXT.replace("name: tiny", 'name: !!python/object/apply:os.system ["echo owned"]', 1)
        .encode())
    add("custom-tag", TINY_TEXT.replace("horizon_years: 5", "horizon_years: !years 5").encode())
    add("binary-tag", TINY_TEXT.replace("name: tiny", "name: !!binary aGVsbG8=", 1).encode())
    add("timestamp-start-year", TINY_TEXT.replace("start_year: 2030", "start_year: 2030-01-01").encode())
    add("set-tag", TINY_TEXT.replace("clusters: 1", "clusters: !!set {1, 2}").encode())
    add("float-tag-string", TINY_TEXT.replace("horizon_years: 5", 'horizon_years: !!float "5"').encode())
    add("duplicate-key", TINY_TEXT.replace("horizon_years: 5", "horizon_years: 5\nhorizon_years: 6").encode())
    add("duplicate-nested-key", TINY_TEXT.replace("  units: 16", "  units: 16\n    units: 8").encode())
    add("unhashable-key", TINY_TEXT.encode() + b"? [1, 2]\n: 3\n")
    add("merge-key-stations", TINY_TEXT.replace(
        "    - {name: svalbard,", "    - &st {name: svalbard,").replace(
        "    - {name: atacama,", "    - {<<: *st, name: atacama,").encode())
    add("merge-key-vehicle", TINY_TEXT.replace("    - name: falcon-9\n", "    - &veh\n      name: falcon-9\n")
        .replace("      available_from_year: 2026\n",
                 "      available_from_year: 2026\n    - <<: *veh\n      name: falcon-9b\n").encode())
    add("alias-reuse", TINY_TEXT.replace("  module:\n", "  module: &mod\n", 1).encode()
        + b"extra_module: *mod\n")
    add("alias-bomb-description", TINY_TEXT.replace("description: Four", f"description: {alias_bomb(7)}\nx_was: Four")
        .encode())
    add("alias-bomb-policy-param", TINY_TEXT.replace("threshold_fraction: 0.2", f"threshold_fraction: {alias_bomb(7)}")
        .encode())
    add("alias-bomb-in-name", TINY_TEXT.replace("name: tiny", f"name: {alias_bomb(5)}", 1).encode())
    add("undefined-alias", TINY_TEXT.replace("clusters: 1", "clusters: *nowhere").encode())
    # names and strings
    add("escape-in-name-valid", dump({**TINY, "name": "tiny" + ESC_NAME}))
    add("escape-in-station-name", dump(edited(TINY, ("ground", "stations", 0, "name"), "replace", ESC_NAME)))
    add("escape-in-unknown-policy", dump(edited(TINY, ("policy", "name"), "replace", ESC_NAME)))
    add("escape-in-unknown-key", dump({**TINY, ESC_NAME: 1}))
    add("escape-wrong-type", dump(edited(TINY, ("horizon_years",), "replace", ESC_NAME)))
    add("nul-in-name", dump({**TINY, "name": "ti\x00ny"}))
    add("newline-in-name", dump({**TINY, "name": "tiny\nfleet: all good"}))
    add("1MB-name", TINY_TEXT.replace("name: tiny", "name: " + "n" * MB, 1).encode())
    add("1MB-description", TINY_TEXT.replace("description: Four", "description: " + "d" * MB + " Four").encode())
    add("1MB-wrong-type", TINY_TEXT.replace("    units: 16", "    units: '" + "9" * MB + "'").encode())
    add("1MB-policy-name", TINY_TEXT.replace("  name: service-on-threshold", "  name: " + "p" * MB).encode())
    add("1MB-unknown-key", TINY_TEXT.encode() + b"? " + b"k" * MB + b"\n: 1\n")
    add("long-digit-string-int", dump(edited(TINY, ("fleet", "clusters"), "replace", int("7" * 4000))))
    # shapes
    add("list-for-fleet", dump({**TINY, "fleet": [TINY["fleet"]]}))
    add("string-for-module", dump(edited(TINY, ("fleet", "module"), "replace", "big")))
    add("map-for-vehicles", dump(edited(TINY, ("launch", "vehicles"), "replace", TINY["launch"]["vehicles"][0])))
    add("empty-vehicles", dump(edited(TINY, ("launch", "vehicles"), "replace", [])))
    add("empty-generations", dump(edited(TINY, ("hardware", "generations"), "replace", [])))
    add("list-for-policy-params", dump(edited(TINY, ("policy", "params"), "replace", [0.2])))
    add("review-interval-0", dump(edited(TINY, ("policy", "params"), "replace", {"review_interval_days": 0})))
    add("review-interval-nan", dump(edited(TINY, ("policy", "params"), "replace",
                                           {"review_interval_days": float("nan")})))
    add("review-interval-text", dump(edited(TINY, ("policy", "params"), "replace", {"review_interval_days": "x"})))
    add("threshold-text", dump(edited(TINY, ("policy", "params"), "replace", {"threshold_fraction": "half"})))
    add("policy-user-file-missing", dump(edited(TINY, ("policy", "name"), "replace", "nowhere.py:C")))
    # other commands on a mutated file
    add("trace-wrong-type", dump(edited(TINY, ("servicing", "trip_days"), "replace", "soon")), command="trace")
    add("trace-1MB-name", TINY_TEXT.replace("name: tiny", "name: " + "n" * MB, 1).encode(), command="trace")
    add("compare-escape-name", dump({**TINY, "name": ESC_NAME}), command="compare")
    add("compare-alias-bomb", TINY_TEXT.replace("threshold_fraction: 0.2", f"threshold_fraction: {alias_bomb(7)}")
        .encode(), command="compare")
    # special files
    add("directory", Folder(), names=("s.yaml",))
    add("fifo", Fifo(), names=("s.yaml",))
    add("dev-zero", Symlink("/dev/zero"), names=("s.yaml", "/dev/zero"))
    add("dev-null", Symlink("/dev/null"), names=("s.yaml", "/dev/null"))
    add("dangling-symlink", Symlink("nowhere.yaml"), names=("s.yaml", "nowhere"))
    add("symlink-loop", Symlink("s.yaml"), names=("s.yaml",))
    # random mutations
    rng = random.Random(SEED)
    paths = key_paths(TINY)
    for i in range(30):
        path = rng.choice(paths)
        how = rng.choice(["delete", "replace", "replace", "add"])
        if how == "add":
            parent = path[:-1]
            node = TINY
            for k in parent:
                node = node[k]
            if not isinstance(node, dict):
                how = "replace"
        value = rng.choice(WRONG_VALUES)
        data = edited(TINY, path[:-1], "add", (f"unknown_{i}", value)) if how == "add" else \
            edited(TINY, path, how, value)
        label = "-".join(str(k) for k in path)[-40:]
        add(f"random-{how}-{label}", dump(data), years=rng.choice(["0.1", "0.3", "0.5"]))

    cases = []
    for i, (what, content, command, years, extra, names) in enumerate(out):
        files = [("s.yaml", content), *extra]
        argv = {"run": ("run", "s.yaml", "--years", years),
                "trace": ("trace", "s.yaml", "--until-years", years),
                "compare": ("compare", "s.yaml", "--policies", "replenish,service-on-threshold",
                            "--replications", "2", "--years", years, *SERIAL, "--out", "cmp")}[command]
        cases.append(Case("scenario", i, what, argv, tuple(files), names or ("s.yaml",)))
    return cases


# ----- experiment files ----------------------------------------------------------------------------
EXPERIMENT = {
    "name": "servicers-small",
    "description": "servicers-sweep reduced: the tiny scenario, one replication, a few months",
    "scenario": "tiny",
    "years": 0.3,
    "seed": 2030,
    "replications": 1,
    "axes": {"servicing.servicers": [1, 2],
             "failures.unit.rate_per_year": {"low": 0.03, "high": 0.12}},
    "samples": 1,
    "policies": [{"name": "replenish"},
                 {"name": "service-on-threshold", "params": {"threshold_fraction": [0.1, 0.2]}}],
    "baseline": "replenish",
    "objectives": ["cost_per_pflops_day_usd", "delivered_pflops_days"],
    "keep_timelines": False,
}
EXPERIMENT_TEXT = dump(EXPERIMENT).decode()


def experiment_cases() -> list[Case]:
    """Files given to `fleet sweep`: mutations of the shipped servicers-sweep, reduced to seconds."""
    out: list[tuple[str, object, tuple]] = []

    def add(what: str, content, extra=(), out_dir: str | None = "res"):
        out.append((what, content, tuple(extra), out_dir))

    def with_(**changes) -> bytes:
        return dump({**EXPERIMENT, **changes})

    def without(*keys) -> bytes:
        return dump({k: v for k, v in EXPERIMENT.items() if k not in keys})

    add("valid", dump(EXPERIMENT))
    add("valid-default-out", dump(EXPERIMENT), out_dir=None)
    add("years-quoted", with_(years="1"))
    add("years-negative", with_(years=-1))
    add("years-zero", with_(years=0))
    add("years-nan", with_(years=float("nan")))
    add("years-inf", with_(years=float("inf")))
    add("years-huge", with_(years=1e9))
    add("years-bool", with_(years=True))
    add("seed-negative", with_(seed=-1))
    add("seed-huge", with_(seed=2 ** 64))
    add("seed-quoted", with_(seed="7"))
    add("seed-float", with_(seed=1.5))
    add("replications-zero", with_(replications=0))
    add("replications-quoted", with_(replications="2"))
    add("replications-float", with_(replications=1.5))
    add("replications-10-million", with_(replications=10 ** 7))
    add("keep-timelines-text", with_(keep_timelines="yes"))
    add("unknown-field", with_(replicates=3))
    add("missing-name", without("name"))
    add("missing-scenario", without("scenario"))
    add("missing-replications", without("replications"))
    add("missing-policies", without("policies"))
    add("scenario-unknown", with_(scenario="no-such-scenario"))
    add("scenario-dev-zero", with_(scenario="/dev/zero"))
    add("scenario-itself", with_(scenario="e.yaml"))
    add("scenario-bad-file", with_(scenario="bad.yaml"), extra=[("bad.yaml", b"fleet: [1\n")])
    add("scenario-escape-file", with_(scenario="bad.yaml"),
        extra=[("bad.yaml", dump({**TINY, "horizon_years": ESC_NAME}))])
    add("axes-unknown-path", with_(axes={"servicing.nope": [1]}, samples=None))
    add("axes-policy-path", with_(axes={"policy.name": ["replenish"]}, samples=None))
    add("axes-empty-list", with_(axes={"servicing.servicers": []}, samples=None))
    add("axes-as-list", with_(axes=["servicing.servicers"], samples=None))
    add("axes-bad-value", with_(axes={"servicing.servicers": ["many"]}, samples=None))
    add("axes-range-reversed", with_(axes={"failures.unit.rate_per_year": {"low": 0.2, "high": 0.1}}))
    add("axes-range-extra-key", with_(axes={"failures.unit.rate_per_year": {"low": 0.1, "high": 0.2, "step": 1}}))
    add("axes-range-text", with_(axes={"failures.unit.rate_per_year": {"low": "a", "high": "b"}}))
    add("axes-range-nan", with_(axes={"failures.unit.rate_per_year": {"low": float("nan"), "high": 1}}))
    add("axes-4x100-plan", with_(axes={p: list(range(1, 101)) for p in
                                       ("servicing.servicers", "servicing.units_per_trip", "fleet.clusters",
                                        "fleet.module.units")}, samples=None))
    add("samples-million", with_(samples=1_000_000))
    add("samples-zero", with_(samples=0))
    add("samples-without-range", with_(axes={"servicing.servicers": [1]}, samples=3))
    add("policies-empty", with_(policies=[]))
    add("policies-not-list", with_(policies="replenish"))
    add("policies-unknown", with_(policies=[{"name": "no-such-policy"}]))
    add("policies-escape-name", with_(policies=[{"name": ESC_NAME}]))
    add("policies-bad-param", with_(policies=[{"name": "replenish", "params": {"nope": 1}}]))
    add("policies-param-wrong-type", with_(policies=[{"name": "service-on-threshold",
                                                      "params": {"threshold_fraction": "half"}}]))
    add("policies-user-file-missing", with_(policies=[{"name": "nowhere.py:C"}]))
    add("baseline-unknown", with_(baseline="nobody"))
    add("objectives-unknown", with_(objectives=["happiness"]))
    add("objectives-empty", with_(objectives=[]))
    add("objectives-text", with_(objectives="delivered_pflops_days"))
    add("name-escape", with_(name=ESC_NAME))
    add("name-traversal-default-out", with_(name="../../escaped"), out_dir=None)
    add("name-dotdot-default-out", with_(name=".."), out_dir=None)
    add("name-1MB", EXPERIMENT_TEXT.replace("name: servicers-small", "name: " + "n" * MB).encode())
    add("1MB-wrong-type", EXPERIMENT_TEXT.replace("replications: 1", "replications: '" + "9" * MB + "'").encode())
    add("alias-bomb-in-axis", EXPERIMENT_TEXT.replace(
        "servicing.servicers:\n  - 1\n  - 2", f"servicing.servicers: {alias_bomb(7)}").encode())
    add("alias-bomb-in-params", EXPERIMENT_TEXT.replace("- name: replenish", f"- name: replenish\n  params: "
                                                        f"{{trigger_fraction: {alias_bomb(7)}}}").encode())
    add("alias-bomb-in-name", EXPERIMENT_TEXT.replace("name: servicers-small", f"name: {alias_bomb(6)}").encode())
    add("merge-key-policies", dump({k: v for k, v in EXPERIMENT.items() if k != "policies"}) + (
        b"policies:\n  - &p {name: service-on-threshold, params: {threshold_fraction: 0.1}}\n"
        b"  - {<<: *p, params: {threshold_fraction: 0.2}}\n  - {name: replenish}\n"))
    add("merge-key-list", dump({k: v for k, v in EXPERIMENT.items() if k != "policies"}) + (
        b"policies:\n  - &p {name: service-on-threshold}\n"
        b"  - {<<: [*p, {params: {threshold_fraction: 0.3}}]}\n  - {name: replenish}\n"))
    add("python-tag", EXPERIMENT_TEXT.replace("name: servicers-small",
                                              'name: !!python/object/apply:os.system ["echo owned"]').encode())
    add("duplicate-key", EXPERIMENT_TEXT.replace("seed: 2030", "seed: 2030\nseed: 2031").encode())
    add("empty", b"")
    add("binary", random.Random(SEED + 1).randbytes(2048))
    add("list-document", b"- scenario: tiny\n")
    add("latin1", EXPERIMENT_TEXT.encode() + "# \xe9t\xe9\n".encode("latin-1"))
    add("over-10-MB", EXPERIMENT_TEXT.encode() + b"# " + b"y" * (11 * MB) + b"\n")
    add("fifo", Fifo())
    add("directory", Folder())
    add("out-on-user-folder", dump(EXPERIMENT), extra=[("docs/keep-thesis.txt", b"my thesis\n")], out_dir="docs")
    add("out-on-user-file", dump(EXPERIMENT), extra=[("keep-notes.txt", b"notes\n")], out_dir="keep-notes.txt")
    add("out-dot", dump(EXPERIMENT), out_dir=".")
    add("out-dotdot", dump(EXPERIMENT), out_dir="..")
    add("out-under-file", dump(EXPERIMENT), extra=[("plain", b"x")], out_dir="plain/res")
    add("out-corrupt-manifest", dump(EXPERIMENT), extra=[("res/manifest.json", b"{not json")])
    add("out-manifest-list", dump(EXPERIMENT), extra=[("res/manifest.json", b"[]")])
    add("resume-zero-byte-unit", dump(EXPERIMENT),
        extra=[("_", Fleet(("sweep", "e.yaml", *SERIAL, "--out", "res"))), ("res/units/*.parquet", Truncate())])
    add("resume-corrupt-unit", dump(EXPERIMENT),
        extra=[("_", Fleet(("sweep", "e.yaml", *SERIAL, "--out", "res"))),
               ("res/units/*.parquet", Truncate(b"PAR1 not parquet"))])

    cases = []
    for i, (what, content, extra, out_dir) in enumerate(out):
        argv = ("sweep", "e.yaml", *SERIAL) + (("--out", out_dir) if out_dir is not None else ())
        names = ("e.yaml", "bad.yaml", "--out", out_dir or "e.yaml")
        cases.append(Case("experiment", i, what, argv, (("e.yaml", content), *extra), names))
    return cases


# ----- command-line arguments ----------------------------------------------------------------------
def cli_cases() -> list[Case]:
    """Bad, missing and odd values for every subcommand's options."""
    run = ("run", "tiny", "--years", "0.2")
    cmp = ("compare", "tiny", "--policies", "replenish,service-on-threshold", "--replications", "2",
           "--years", "0.2", *SERIAL)
    rows: list[tuple[str, tuple, tuple]] = [
        ("no-arguments", (), ()),
        ("unknown-command", ("launch",), ()),
        ("escape-command", (ESC_NAME,), ()),
        ("help", ("--help",), ()),
        ("run-help", ("run", "--help"), ()),
        ("run-no-scenario", ("run",), ()),
        ("run-unknown-scenario", ("run", "no-such-scenario"), ()),
        ("run-escape-scenario", ("run", ESC_NAME), ()),
        ("run-empty-scenario", ("run", ""), ()),
        ("run-seed-negative", (*run, "--seed", "-1"), ()),
        ("run-seed-text", (*run, "--seed", "abc"), ()),
        ("run-seed-float", (*run, "--seed", "1.5"), ()),
        ("run-seed-huge", (*run, "--seed", str(2 ** 200)), ()),
        ("run-seed-2-64", (*run, "--seed", str(2 ** 64)), ()),
        ("run-years-negative", ("run", "tiny", "--years", "-1"), ()),
        ("run-years-zero", ("run", "tiny", "--years", "0"), ()),
        ("run-years-nan", ("run", "tiny", "--years", "nan"), ()),
        ("run-years-inf", ("run", "tiny", "--years", "inf"), ()),
        ("run-years-huge", ("run", "tiny", "--years", "1e9"), ()),
        ("run-years-tiny", ("run", "tiny", "--years", "1e-9"), ()),
        ("run-years-text", ("run", "tiny", "--years", "five"), ()),
        ("run-years-missing-value", ("run", "tiny", "--years"), ()),
        ("run-policy-unknown", (*run, "--policy", "no-such-policy"), ()),
        ("run-policy-empty", (*run, "--policy", ""), ()),
        ("run-policy-colon", (*run, "--policy", ":"), ()),
        ("run-policy-function", (*run, "--policy", "os:system"), ()),
        ("run-policy-not-dataclass", (*run, "--policy", "argparse:ArgumentParser"), ()),
        ("run-policy-module-missing", (*run, "--policy", "no_such_module_xyz:C"), ()),
        ("run-policy-file-missing", (*run, "--policy", "nowhere.py:C"), ()),
        ("run-policy-escape", (*run, "--policy", ESC_NAME), ()),
        ("run-policy-version", (*run, "--policy", "replenish-v99"), ()),
        ("run-unknown-option", (*run, "--bogus"), ()),
        ("run-out-new", (*run, "--out", "new"), ()),
        ("run-out-user-folder", (*run, "--out", "docs"), (("docs/keep-thesis.txt", b"thesis\n"),)),
        ("run-out-user-file", (*run, "--out", "keep-here.txt"), ()),
        ("run-out-under-file", (*run, "--out", "keep-here.txt/sub"), ()),
        ("run-out-dot", (*run, "--out", "."), ()),
        ("run-out-dotdot", (*run, "--out", ".."), ()),
        ("run-out-proc", (*run, "--out", "/proc/fleet-no-such-dir/out"), ()),
        ("run-out-empty", (*run, "--out", ""), ()),
        ("run-out-newline", (*run, "--out", "a\nb"), ()),
        ("run-out-escape", (*run, "--out", "o" + ESC_NAME), ()),
        ("run-out-too-long", (*run, "--out", "n" * 300), ()),
        ("run-out-symlink-to-user-folder", (*run, "--out", "link"),
         (("docs/keep-thesis.txt", b"thesis\n"), ("link", Symlink("docs")))),
        ("run-out-twice", (*run, "--out", "res"), (("_", Fleet((*run, "--out", "res"))),)),
        ("run-report-out-user-folder", (*run, "--report", "--out", "docs"),
         (("docs/keep-thesis.txt", b"thesis\n"),)),
        ("compare-no-policies", ("compare", "tiny", "--replications", "2"), ()),
        ("compare-no-replications", ("compare", "tiny", "--policies", "replenish"), ()),
        ("compare-replications-zero", ("compare", "tiny", "--policies", "replenish", "--replications", "0",
                                       *SERIAL), ()),
        ("compare-replications-negative", ("compare", "tiny", "--policies", "replenish", "--replications", "-3",
                                           *SERIAL), ()),
        ("compare-replications-billion", ("compare", "tiny", "--policies", "replenish", "--replications",
                                          str(10 ** 9), *SERIAL), ()),
        ("compare-policies-commas", ("compare", "tiny", "--policies", ",,", "--replications", "2", *SERIAL), ()),
        ("compare-policies-duplicate", ("compare", "tiny", "--policies", "replenish,replenish", "--replications",
                                        "2", "--years", "0.2", *SERIAL), ()),
        ("compare-policies-unknown", ("compare", "tiny", "--policies", "replenish,nobody", "--replications", "2",
                                      *SERIAL), ()),
        ("compare-baseline-unknown", (*cmp, "--baseline", "nobody"), ()),
        ("compare-objective-unknown", (*cmp, "--objective", "happiness"), ()),
        ("compare-objective-dunder", (*cmp, "--objective", "__class__"), ()),
        ("compare-seed-negative", (*cmp, "--seed", "-1"), ()),
        ("compare-years-nan", ("compare", "tiny", "--policies", "replenish", "--replications", "2", "--years",
                               "nan", *SERIAL), ()),
        ("compare-backend-unknown", ("compare", "tiny", "--policies", "replenish", "--replications", "2",
                                     "--backend", "mpi"), ()),
        ("compare-scheduler-without-dask", (*cmp, "--scheduler", "tcp://127.0.0.1:1"), ()),
        ("compare-scheduler-notaurl", ("compare", "tiny", "--policies", "replenish", "--replications", "2",
                                       "--years", "0.2", "--backend", "dask", "--scheduler", "notaurl",
                                       "--no-progress"), ()),
        ("compare-scheduler-bad-ipv6", ("compare", "tiny", "--policies", "replenish", "--replications", "2",
                                        "--years", "0.2", "--backend", "dask", "--scheduler", "tcp://[::1",
                                        "--no-progress"), ()),
        ("compare-scheduler-bad-port", ("compare", "tiny", "--policies", "replenish", "--replications", "2",
                                        "--years", "0.2", "--backend", "dask", "--scheduler",
                                        "tcp://127.0.0.1:notaport", "--no-progress"), ()),
        ("compare-scheduler-port-range", ("compare", "tiny", "--policies", "replenish", "--replications", "2",
                                          "--years", "0.2", "--backend", "dask", "--scheduler",
                                          "tcp://127.0.0.1:99999", "--no-progress"), ()),
        ("compare-scheduler-unknown-protocol", ("compare", "tiny", "--policies", "replenish", "--replications",
                                                "2", "--years", "0.2", "--backend", "dask", "--scheduler",
                                                "gopher://127.0.0.1:1", "--no-progress"), ()),
        ("compare-workers-zero", (*cmp[:-3], "--workers", "0", "--no-progress"), ()),
        ("compare-workers-negative", (*cmp[:-3], "--workers", "-2", "--no-progress"), ()),
        ("compare-out-user-file", (*cmp, "--out", "keep-here.txt"), ()),
        ("compare-out-user-folder", (*cmp, "--out", "docs"), (("docs/keep-thesis.txt", b"thesis\n"),)),
        ("compare-out-dot", (*cmp, "--out", "."), ()),
        ("compare-out-dotdot", (*cmp, "--out", ".."), ()),
        ("compare-out-proc", (*cmp, "--out", "/proc/fleet-no-such-dir/out"), ()),
        ("compare-out-corrupt-manifest", (*cmp, "--out", "res"), (("res/manifest.json", b"\x00\xff{"),)),
        ("sweep-no-file", ("sweep",), ()),
        ("sweep-missing-file", ("sweep", "nowhere.yaml", *SERIAL), ()),
        ("sweep-scenario-as-experiment", ("sweep", "s.yaml", *SERIAL, "--out", "res"),
         (("s.yaml", TINY_TEXT.encode()),)),
        ("sweep-dev-null", ("sweep", "/dev/null", *SERIAL), ()),
        ("sweep-workers-zero", ("sweep", "e.yaml", "--workers", "0", "--no-progress"),
         (("e.yaml", dump(EXPERIMENT)),)),
        ("sweep-backend-unknown", ("sweep", "e.yaml", "--backend", "cloud"), (("e.yaml", dump(EXPERIMENT)),)),
        ("report-no-dir", ("report",), ()),
        ("report-missing", ("report", "nowhere"), ()),
        ("report-a-file", ("report", "keep-here.txt"), ()),
        ("report-empty-folder", ("report", "empty"), (("empty", Folder()),)),
        ("report-cwd", ("report", "."), ()),
        ("report-corrupt-manifest", ("report", "res"), (("res/manifest.json", b"{\"seed\": "),)),
        ("report-manifest-list", ("report", "res"), (("res/manifest.json", b"[1, 2]"),)),
        ("report-manifest-escape", ("report", "res"),
         (("_", Fleet(("run", "tiny", "--years", "0.2", "--out", "res"))),
          ("res/manifest.json", json.dumps({"policy": ESC_NAME, "seed": ESC_NAME, "scenario": ESC_NAME}).encode()))),
        ("report-twice-symlinked-tmp", ("report", "res"),
         (("_", Fleet(("run", "tiny", "--years", "0.2", "--out", "res"))), ("keep-victim.txt", b"precious\n"),
          ("res/.report.html.tmp", Symlink("../keep-victim.txt")))),
        ("report-run-zero-byte-events", ("report", "res"),
         (("_", Fleet(("run", "tiny", "--years", "0.2", "--out", "res"))), ("res/events.parquet", b""))),
        ("report-run-corrupt-summary", ("report", "res"),
         (("_", Fleet(("run", "tiny", "--years", "0.2", "--out", "res"))), ("res/summary.json", b"{{{"))),
        ("trace-until-negative", ("trace", "tiny", "--until-years", "-1"), ()),
        ("trace-until-nan", ("trace", "tiny", "--until-years", "nan"), ()),
        ("trace-until-inf", ("trace", "tiny", "--until-years", "inf"), ()),
        ("trace-module-negative", ("trace", "tiny", "--until-years", "0.2", "--module", "-1"), ()),
        ("trace-module-huge", ("trace", "tiny", "--until-years", "0.2", "--module", str(10 ** 30)), ()),
        ("trace-module-text", ("trace", "tiny", "--module", "first"), ()),
        ("trace-seed-negative", ("trace", "tiny", "--until-years", "0.2", "--seed", "-5"), ()),
        ("trace-policy-unknown", ("trace", "tiny", "--until-years", "0.2", "--policy", "nobody"), ()),
        ("parity-axes-unknown", ("parity", "tiny", "--axes", "gravity", "--years", "0.2"), ()),
        ("parity-axes-empty", ("parity", "tiny", "--axes", "", "--years", "0.2"), ()),
        ("parity-axes-twice", ("parity", "tiny", "--axes", "launch_price,launch_price", "--years", "0.2"), ()),
        ("parity-replications-zero", ("parity", "tiny", "--replications", "0", "--years", "0.2"), ()),
        ("parity-replications-negative", ("parity", "tiny", "--replications", "-1", "--years", "0.2"), ()),
        ("parity-points-zero", ("parity", "tiny", "--points", "0", "--years", "0.2"), ()),
        ("parity-points-one", ("parity", "tiny", "--points", "1", "--replications", "2", "--years", "0.2", *SERIAL), ()),
        ("parity-points-million", ("parity", "tiny", "--points", "1000000", "--years", "0.2"), ()),
        ("parity-grid-one-axis", ("parity", "tiny", "--grid", "--years", "0.2"), ()),
        ("parity-seed-negative", ("parity", "tiny", "--seed", "-1", "--years", "0.2"), ()),
        ("parity-years-negative", ("parity", "tiny", "--years", "-2"), ()),
        ("parity-out-user-file", ("parity", "tiny", "--replications", "2", "--points", "2", "--years", "0.2",
                                  "--out", "keep-here.txt", *SERIAL), ()),
        ("schema-extra-argument", ("schema", "tiny"), ()),
        ("policies-unknown", ("policies", "nobody"), ()),
        ("policies-escape", ("policies", ESC_NAME), ()),
        ("policies-file-missing", ("policies", "nowhere.py:C"), ()),
        ("validate-case-unknown", ("validate", "--case", "nothing"), ()),
        ("validate-replications-one", ("validate", "--replications", "1"), ()),
        ("validate-jobs-zero", ("validate", "--jobs", "0", "--case", "renewal-exponential", "--replications", "2"),
         ()),
        ("validate-replications-text", ("validate", "--replications", "many"), ()),
    ]
    named = {"policies-escape": ("policy",)}   # its positional is a policy: "unknown policy ..." names it
    return [Case("cli", i, what, argv, files, named.get(what, ())) for i, (what, argv, files) in enumerate(rows)]


# ----- user policies -------------------------------------------------------------------------------
def hooky_scenario() -> dict:
    """tiny, made eventful: within 1.2 years every hook of a policy is called (seed 0)."""
    d = copy.deepcopy(TINY)
    d["name"] = "hooky"
    d["failures"]["unit"]["rate_per_year"] = 3.0
    d["failures"]["bus"] = {"distribution": "exponential", "rate_per_year": 2.0}
    d["launch"]["vehicles"][0]["success_probability"] = 0.6
    d["launch"]["vehicles"][0]["lead_time_days"] = 10
    d["fleet"]["module"]["commissioning_days"] = 5
    d["servicing"]["trip_days"] = 10
    later = dict(d["hardware"]["generations"][0], name="gen-2031", year_available=2031)
    d["hardware"]["generations"].append(later)
    d["policy"]["params"]["threshold_fraction"] = 0.1
    return d


HOOKY = dump(hooky_scenario())
HOOKS = {   # hook -> (parameters after obs, what the library policy returns)
    "review": "(self, obs)",
    "on_module_failed": "(self, obs, module)",
    "on_launch_failed": "(self, obs, modules)",
    "on_trip_returned": "(self, obs, modules)",
    "on_generation_available": "(self, obs, generation)",
    "on_threshold": "(self, obs, module)",
}


def policy_file(body: str, hook: str = "review", header: str = "", cls_body: str = "") -> bytes:
    """A user's policy file: service-on-threshold with `hook` replaced by `body` (code that runs on
    the hook's first call in each replication; the library's behaviour otherwise)."""
    args = HOOKS.get(hook, "(self, obs)")
    call = args[1:-1].replace("self, ", "")
    text = f'''\
import dataclasses
import math
import os
import sys
import time

import numpy as np

from fleet.actions import Activate, Deorbit, Launch, Service
from policies.service_on_threshold import ServiceOnThreshold
{header}


@dataclasses.dataclass(frozen=True)
class C(ServiceOnThreshold):
    name = "adversary"
{textwrap.indent(cls_body, "    ")}
    def {hook}{args}:
        if not getattr(self, "_fired", False):      # a new instance runs each replication
            object.__setattr__(self, "_fired", True)
{textwrap.indent(textwrap.dedent(body), " " * 12)}
        return ServiceOnThreshold.{hook}(self, {call})
'''
    return text.encode()


def policy_cases() -> list[Case]:
    """A user's policy file (p.py:C) that misbehaves in each hook, run on the eventful scenario."""
    rows: list[tuple[str, bytes, str]] = []    # (what, file, command)

    def add(what: str, content: bytes, command: str = "run"):
        rows.append((what, content, command))

    for hook in HOOKS:
        add(f"{hook}-raises", policy_file('raise ValueError("the policy is wrong")', hook))
        add(f"{hook}-returns-dict", policy_file("return {'launch': 1}", hook))
        add(f"{hook}-launch-cluster-text", policy_file("return [Launch(1, cluster='a')]", hook))
    for exc in ("ZeroDivisionError", "KeyError('k')", "RecursionError", "MemoryError", "StopIteration",
                "GeneratorExit", "SystemExit(0)", "SystemExit(3)", "SystemExit('bye')", "AssertionError"):
        add(f"review-raises-{exc}", policy_file(f"raise {exc}"))
    add("review-raises-base-exception", policy_file("raise Boom('not an Exception')",
                                                    header="class Boom(BaseException):\n    pass\n"))
    add("review-infinite-recursion", policy_file("def f(n):\n    return f(n + 1)\nf(0)"))
    add("review-returns-text", policy_file("return 'launch'"))
    add("review-returns-int", policy_file("return 5"))
    add("review-returns-one-action", policy_file("return Launch(1)"))
    add("review-returns-generator", policy_file("return (a for a in [Launch(1)])"))
    add("review-returns-set", policy_file("return {Launch(1)}"))
    add("review-returns-none-in-list", policy_file("return [None]"))
    add("review-returns-class", policy_file("return [Launch]"))
    add("review-returns-nested-list", policy_file("return [[Launch(1)]]"))
    add("review-10k-launch-actions", policy_file("return [Launch(1)] * 10_000"))
    for action in ("Launch(-1)", "Launch(0)", "Launch(2**40)", "Launch(10**6)", "Launch(1.0)", "Launch('1')",
                   "Launch(True)", "Launch(float('nan'))", "Launch(None)", "Launch(1, cluster=1.5)",
                   "Launch(1, cluster=-1)", "Launch(1, cluster=True)", "Launch(1, generation='x')",
                   "Launch(1, generation=-1)", "Launch(1, generation=2.5)", "Launch(1, spare='yes')",
                   "Launch(1, reason=b'\\x1b[2J')", "Launch(np.int64(1), cluster=np.int64(0))",
                   "Deorbit((True,))", "Deorbit(())", "Deorbit((0, 0))", "Deorbit((-1,))", "Deorbit((1.0,))",
                   "Deorbit('0')", "Deorbit(range(1))", "Deorbit(np.array([0]))", "Deorbit((10**20,))",
                   "Deorbit(((0,),))", "Service((0,), upgrade='yes')", "Service(())", "Service(((0,),))",
                   "Service((np.int64(0),), upgrade=np.bool_(True))", "Activate((0,))", "Activate(('a',))"):
        hook = "on_trip_returned" if action.startswith(("Deorbit", "Service", "Activate")) else "review"
        add(f"{hook}-{action}", policy_file(f"return [{action}]", hook))
    add("review-writes-status", policy_file("obs.status[0] = 9"))
    add("review-writes-units-alive", policy_file("obs.units_alive[:] = 0", "on_trip_returned"))
    add("review-sorts-capacity", policy_file("obs.module_capacity_pflops.sort()", "on_trip_returned"))
    add("review-sets-scenario-field", policy_file("obs.scenario.horizon_years = 1"))
    add("review-appends-generations", policy_file("obs.generations.append(None)"))
    add("threshold-returns-text", policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                           "    return 'half'\n"))
    add("threshold-returns-negative", policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                               "    return -1.0\n"))
    add("threshold-returns-nan", policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                          "    return float('nan')\n"))
    add("threshold-returns-list", policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                           "    return [0.1]\n"))
    add("threshold-raises", policy_file("", cls_body="def threshold_failed_fraction(self):\n"
                                                     "    raise RuntimeError('no threshold')\n"))
    add("needs-free-servicer-raises", policy_file("", cls_body="def threshold_needs_free_servicer(self):\n"
                                                               "    raise RuntimeError('no idea')\n"))
    add("review-interval-text", policy_file("", cls_body="review_interval_days: float = 'monthly'\n"))
    add("review-interval-zero", policy_file("", cls_body="review_interval_days: float = 0.0\n"))
    add("review-interval-inf", policy_file("", cls_body="review_interval_days: float = float('inf')\n"))
    add("post-init-raises", policy_file("", cls_body="def __post_init__(self):\n"
                                                     "    raise ValueError('bad parameters')\n"))
    add("import-raises", policy_file("", header="raise ImportError('cannot start')"))
    add("import-syntax-error", b"def broken(:\n")
    add("import-system-exit", policy_file("", header="sys.exit(0)"))
    add("import-system-exit-2", policy_file("", header="raise SystemExit(2)"))
    add("undecorated-subclass", b"from policies import Policy\nclass C(Policy):\n    name = 'x'\n")
    add("not-a-class", b"def C():\n    return None\n")
    add("name-not-text", policy_file("", cls_body="name = 5\n"))
    add("name-escape", policy_file("raise ValueError('x')", cls_body=f"name = {ESC_NAME!r}\n"))
    add("message-1MB", policy_file("raise ValueError('m' * 1_000_000)"))
    add("message-escape", policy_file(f"raise ValueError({ESC_NAME!r})"))
    add("hangs-with-timeout", policy_file("time.sleep(30)"), command="run-timeout")
    add("compare-review-raises", policy_file('raise ValueError("the policy is wrong")'), command="compare")
    add("compare-bad-action", policy_file("return [Launch(1, cluster='a')]"), command="compare")
    add("compare-system-exit", policy_file("raise SystemExit(0)"), command="compare")
    add("trace-review-raises", policy_file('raise ValueError("the policy is wrong")'), command="trace")
    add("trace-deorbit-true", policy_file("return [Deorbit((True,))]", "on_trip_returned"), command="trace")
    add("sweep-review-raises", policy_file('raise ValueError("the policy is wrong")'), command="sweep")
    add("policies-describe-raises-import", policy_file("", header="raise ValueError('at import')"),
        command="policies")

    experiment = dump({**{k: v for k, v in EXPERIMENT.items() if k not in ("axes", "samples")},
                       "scenario": "h.yaml", "policies": [{"name": "replenish"}, {"name": "p.py:C"}], "years": 1.2})
    commands = {
        "run": ("run", "h.yaml", "--policy", "p.py:C", "--years", "1.2"),
        "run-timeout": ("run", "h.yaml", "--policy", "p.py:C", "--years", "1.2", "--timeout", "2"),
        "trace": ("trace", "h.yaml", "--policy", "p.py:C", "--until-years", "1.2"),
        "compare": ("compare", "h.yaml", "--policies", "replenish,p.py:C", "--replications", "2", "--years", "1.2",
                    *SERIAL, "--out", "res"),
        "sweep": ("sweep", "e.yaml", *SERIAL, "--out", "res"),
        "policies": ("policies", "p.py:C"),
    }
    cases = []
    for i, (what, content, command) in enumerate(rows):
        files = (("h.yaml", HOOKY), ("p.py", content), ("e.yaml", experiment))
        cases.append(Case("policy", i, what, commands[command], files,
                          ("p.py", "policy", "h.yaml", "e.yaml", "--policy", "--timeout")))
    return cases


# Where issue 11 says what the answer is: merge keys work; the experiment schema is strict; files over
# 10 MB, FIFOs, devices and plans over 100,000 units are refused; --out never takes a folder or file it
# did not write; a bad scheduler address is bad input; a broken unit file is computed again; and a
# policy's exception or invalid action of any type exits 1, named.
ACCEPTED, REFUSED, POLICY_ERROR = (0,), (2,), (1,)
EXPECT = {
    "scenario": {**dict.fromkeys(("merge-key-stations", "merge-key-vehicle", "utf8-bom", "crlf-line-ends"), ACCEPTED),
                 **dict.fromkeys(("over-10-MB", "fifo", "dev-zero", "review-interval-0"), REFUSED)},
    "experiment": {**dict.fromkeys(("valid", "valid-default-out", "merge-key-policies", "merge-key-list",
                                    "resume-zero-byte-unit", "resume-corrupt-unit"), ACCEPTED),
                   **dict.fromkeys(("years-quoted", "seed-quoted", "replications-quoted", "keep-timelines-text",
                                    "over-10-MB", "fifo", "axes-4x100-plan", "samples-million", "out-on-user-folder",
                                    "out-on-user-file", "out-dot", "out-dotdot", "out-under-file",
                                    "out-corrupt-manifest", "out-manifest-list"), REFUSED)},
    "cli": {**dict.fromkeys(("report-twice-symlinked-tmp", "run-out-new"), ACCEPTED),
            **dict.fromkeys(("run-out-user-folder", "run-out-user-file", "run-out-under-file", "run-out-dot",
                             "run-out-dotdot", "run-out-proc", "run-out-too-long", "run-out-twice",
                             "run-out-symlink-to-user-folder", "run-report-out-user-folder", "compare-out-user-file",
                             "compare-out-user-folder", "compare-out-dot", "compare-out-dotdot", "compare-out-proc",
                             "compare-out-corrupt-manifest", "compare-scheduler-notaurl", "compare-scheduler-bad-ipv6",
                             "compare-scheduler-bad-port", "compare-scheduler-port-range",
                             "compare-scheduler-unknown-protocol", "report-corrupt-manifest", "report-manifest-list",
                             "report-run-zero-byte-events", "report-run-corrupt-summary", "parity-out-user-file"),
                            REFUSED)},
}
POLICY_FAULTS = ("-raises", "-returns-", "-launch-cluster-text", "-writes-", "-sorts-", "-sets-", "-appends-",
                 "infinite-recursion", "threshold-returns-text", "threshold-returns-list", "threshold-returns-nan",
                 "threshold-raises", "needs-free-servicer-raises", "name-escape", "message-", "compare-",
                 "trace-", "sweep-")
POLICY_AMBIGUOUS = ("threshold-returns-negative", "post-init-raises", "Launch(True)", "Launch(10**6)",
                    "Launch(1, reason", "Launch(np.int64", "import-",
                    "policies-describe", "10k-launch")


def expected(case: Case) -> tuple[int, ...] | None:
    """The exit statuses issue 11 prescribes for `case`, or None where it leaves the choice open."""
    if case.family != "policy":
        return EXPECT[case.family].get(case.what)
    if any(a in case.what for a in POLICY_AMBIGUOUS):
        return None
    if any(f in case.what for f in POLICY_FAULTS) or "-Launch(" in case.what or "-Deorbit(" in case.what \
            or "-Service(" in case.what or "-Activate(" in case.what:
        return POLICY_ERROR
    return None


def all_cases() -> list[Case]:
    cases = scenario_cases() + experiment_cases() + cli_cases() + policy_cases()
    return [dataclasses.replace(c, expect=expected(c)) for c in cases]

