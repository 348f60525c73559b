"""Reports and the watch page, opened in Debian's headless Chromium (tests/browser.py drives it).

Every page: no console error, no uncaught exception, no failed request; every image decoded; no
horizontal scrolling at 1,280 px; a screenshot that is not blank. The watch page also: it starts
playing within 2 s, the slider changes what is drawn, and at the horizon it shows the fleet the
engine sampled. Screenshots are kept in the test's temporary folder, their sizes printed (-s).
"""
from pathlib import Path

import pytest

from runs import simulate
from runs.look.report import write_report
from runs.look.watch import write_watch
from tests.browser import Browser, WIDTH_PX, chromium, distinct_colours, page_checks
from tests.commands import fleet
from tests.test_report import SWEEP

pytestmark = pytest.mark.skipif(chromium() is None, reason="Debian's `chromium` is not installed "
                                "(.ci/run installs it: apt-get install chromium); browser checks skipped")
MAX_FIRST_FRAME_MS = 2000
MIN_COLOURS = 20            # a blank or single-colour screenshot has a handful


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """A run report, a comparison report, a sweep report and a watch page, all of `tiny` over a year or two."""
    root = tmp_path_factory.mktemp("pages")
    run = simulate("tiny", seed=2, years=2)
    out = {"run report": write_report(run.save(root / "run"))}
    done = fleet("compare", "tiny", "--policies", "replenish,service-on-threshold", "--replications", "3",
                 "--years", "1", "--out", "cmp", "--report", "--backend", "serial", "--no-progress", cwd=root)
    assert done.returncode == 0, done.stderr
    out["compare report"] = root / "cmp" / "report.html"
    (root / "exp.yaml").write_text(SWEEP)
    done = fleet("sweep", "exp.yaml", "--out", "sw", "--backend", "serial", "--no-progress", cwd=root)
    assert done.returncode == 0, done.stderr
    out["sweep report"] = write_report(root / "sw")
    out["watch page"] = write_watch(simulate("tiny", seed=0), root / "watch.html")
    return out


@pytest.mark.parametrize("name", ["run report", "compare report", "sweep report", "watch page"])
def test_page_opens_cleanly_in_chromium(browser, pages, name):
    page = browser.open(pages[name])
    if name == "watch page":
        page.evaluate("watch.play(false), watch.setTime(400)")
    assert page.problems() == []
    checks = page_checks(page)
    assert checks["undecoded"] == [], "images not decoded"
    assert checks["scrollWidth"] <= checks["clientWidth"] <= WIDTH_PX, "horizontal scrolling at 1,280 px"
    if name != "watch page":
        assert checks["images"] >= 2
    shot = page.screenshot(pages[name].with_suffix(".png"), full_page=name != "watch page")
    print(f"{name}: {len(shot):,} bytes of PNG, {distinct_colours(shot)} colours, loaded in {page.load_s:.2f} s")
    assert distinct_colours(shot) >= MIN_COLOURS, "the screenshot is blank"


def test_watch_page_plays_and_the_slider_changes_the_picture(browser, pages):
    page = browser.open(pages["watch page"])
    first = int(page.evaluate("new Promise(r => requestAnimationFrame(() => r(document.body.dataset.firstFrameMs)))"))
    assert first <= MAX_FIRST_FRAME_MS
    assert page.evaluate("document.body.dataset.playing") == "yes"
    page.evaluate("new Promise(r => setTimeout(r, 300))")
    assert page.evaluate("watch.time()") > 0, "the clock moves while playing"
    page.evaluate("document.getElementById('pause').click()")
    before = page.screenshot(pages["watch page"].with_name("watch-early.png"))
    page.evaluate("const s = document.getElementById('slider'); s.value = s.max * 0.9;"
                  "s.dispatchEvent(new Event('input'))")
    after = page.screenshot(pages["watch page"].with_name("watch-late.png"))
    assert before != after
    assert page.evaluate("document.getElementById('clock').textContent").startswith(("Jun 2034", "Jul 2034"))


def test_watch_page_shows_what_the_engine_sampled(browser, pages):
    """At each timeline sample the page's modules and boards equal the timeline's (the log replayed)."""
    result = simulate("tiny", seed=0)
    page = browser.open(pages["watch page"])
    page.evaluate("watch.play(false)")
    timeline = result.timeline
    for i in range(0, len(timeline), 7):
        state = page.evaluate(f"(watch.setTime({timeline['time_days'].iloc[i]}), watch.state())")
        assert state["operational"] == timeline["modules_operational"].iloc[i]
        assert state["alive"] == timeline["units_alive"].iloc[i]


def test_clicking_a_module_shows_its_history_from_the_log(browser, pages):
    result = simulate("tiny", seed=0)
    page = browser.open(pages["watch page"])
    page.evaluate("watch.play(false), watch.setTime(1000)")
    cell = page.evaluate("(() => { const r = document.getElementById('scene').getBoundingClientRect();"
                         "return [r.left, r.top]; })()")
    # module 0 sits in the first slot of cluster 0: ask the page where it drew it and click there
    x, y = page.evaluate("(() => { const c = watch.boxes()[0].cells.find(c => c.m === 0); return [c.x + 2, c.y + 2]; })()")
    page.evaluate(f"document.getElementById('scene').dispatchEvent(new MouseEvent('click', "
                  f"{{clientX: {cell[0] + x}, clientY: {cell[1] + y}, bubbles: true}}))")
    assert page.evaluate("document.getElementById('history-title').textContent") == "History of module 0"
    rows = page.evaluate("document.querySelectorAll('#history li').length")
    assert rows == (result.events["module"] == 0).sum()
    assert page.evaluate("document.querySelectorAll('#history li.future').length") == (
        (result.events["module"] == 0) & (result.events["time_days"] > 1000)).sum()


def test_baseline_over_30_years_fits_in_5_mb_and_plays_within_2_s(browser, tmp_path):
    path = write_watch(simulate("baseline", seed=0), tmp_path / "baseline.html")
    size = path.stat().st_size
    print(f"baseline watch page: {size / 1e6:.2f} MB")
    assert size <= 5e6
    page = browser.open(path)
    first = int(page.evaluate("new Promise(r => requestAnimationFrame(() => r(document.body.dataset.firstFrameMs)))"))
    assert first <= MAX_FIRST_FRAME_MS and page.evaluate("document.body.dataset.playing") == "yes"
    assert page.problems() == []
    assert page.evaluate("watch.setTime(4000), document.querySelectorAll('#latest li').length") > 0
