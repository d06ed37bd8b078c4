"""Every sim is one folder, sims/<id>/, and its sim.json is the one home of its facts."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import microsims
from microsims.params import choices, read_params

ROOT = Path(__file__).resolve().parents[2]
SIM_IDS = sorted(p.parent.name for p in (ROOT / "sims").glob("*/sim.json"))
FILES = ("sim.json", "controller.py", "sim.js", "main.html", "index.md", "metadata.json")


def test_the_sims_are_folders() -> None:
    assert SIM_IDS == [
        "cache-eviction-simulator",
        "cache-failure-modes",
        "hash-table-lookup",
        "redis-console",
    ]
    assert set(SIM_IDS) <= set(microsims.sim_ids())  # plus any sim a test registered in code


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_a_sim_folder_holds_the_whole_sim(sim_id: str) -> None:
    folder = ROOT / "sims" / sim_id
    for name in FILES:
        assert (folder / name).is_file(), f"sims/{sim_id}/{name} is missing"
    assert (folder / f"{sim_id}.png").is_file(), "the screenshot"
    assert 'src="sim.js"' in (folder / "main.html").read_text(encoding="utf-8")
    tests = ROOT / "tests" / "sims" / sim_id
    kinds = {p.name.endswith("_browser.py") for p in tests.glob("test_*.py")}
    assert kinds == {False, True}, f"tests/sims/{sim_id}/ holds its controller and browser tests"


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_commands_in_sim_json_are_the_controllers_and_the_pages(sim_id: str) -> None:
    spec = microsims.spec(sim_id)
    cls = microsims.controller_class(sim_id)
    methods = sorted(name[4:] for name, _ in inspect.getmembers(cls) if name.startswith("cmd_"))
    assert sorted(spec["commands"]) == methods
    called = set()
    for js in (ROOT / "sims" / sim_id).glob("*.js"):
        called |= set(re.findall(r'\bcall\(\s*"([a-z_]+)"', js.read_text(encoding="utf-8")))
    assert called and called <= set(spec["commands"]), called - set(spec["commands"])


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_the_page_hard_codes_no_range_or_option_of_sim_json(sim_id: str) -> None:
    """sim.js takes labels, ranges and options from sim.json, not from literals of its own."""
    spec = microsims.spec(sim_id)
    source = (ROOT / "sims" / sim_id / "sim.js").read_text(encoding="utf-8")
    assert "loadSpec(import.meta.url)" in source and "spec: SPEC" in source
    for param in spec["params"].values():
        assert f'"{param["label"]}"' not in source, param["label"]
    for entry in [*spec["params"].values(), *spec["options"].values()]:
        for option in entry.get("options", []):
            assert f'"{option["label"]}"' not in source, option["label"]


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_every_range_of_sim_json_is_what_the_controller_accepts(sim_id: str) -> None:
    spec = microsims.spec(sim_id)
    for name, param in spec["params"].items():
        # maxFrom: the bound parameter at its max allows this one's whole range
        bound = (
            {param["maxFrom"]: spec["params"][param["maxFrom"]]["max"]}
            if "maxFrom" in param
            else {}
        )
        if param["type"] == "int":
            for good in (param["min"], param["max"]):
                expected = _defaults(spec, {**bound, name: good})
                assert read_params(spec, {**bound, name: good}) == (expected, [])
            for bad in (param["min"] - 1, param["max"] + 1):
                values, notices = read_params(spec, {**bound, name: bad})
                assert (
                    values[name]
                    == (bound or _defaults(spec)).get(param.get("maxFrom"), param["default"])
                    and len(notices) == 1
                )
                assert f"{param['min']} to {param['max']}" in notices[0]
        if "maxFrom" in param:  # above its bound's value: the bound's value, with a notice
            values, notices = read_params(spec, {name: param["max"]})
            limit = spec["params"][param["maxFrom"]]["default"]
            assert values[name] == limit and len(notices) == 1
            assert f"{param['min']} to {limit}" in notices[0]
            assert (
                read_params(spec, {param["maxFrom"]: param["min"] + 1})[0][name] == param["min"] + 1
            )
        if param["type"] == "enum":
            assert param["default"] in choices(param)
            values, notices = read_params(spec, {name: "no-such-choice"})
            assert values[name] == param["default"] and notices
        assert {"label", "help", "default"} <= set(param)


def _defaults(spec: dict, given: dict | None = None) -> dict:
    """The values with ``given`` and the defaults (a ``maxFrom`` parameter takes its bound's)."""
    values = {name: param["default"] for name, param in spec["params"].items()}
    values.update(given or {})
    for name, param in spec["params"].items():
        if "maxFrom" in param and name not in (given or {}):
            values[name] = values[param["maxFrom"]]
    return values


def test_failure_modes_option_labels_have_one_home() -> None:
    """The menus show sim.json's labels, the tables and the canvas its short labels."""
    spec = microsims.spec("cache-failure-modes")
    controller = microsims.create("cache-failure-modes", {}, seed=1)
    controller.cmd_mitigate(panel="stampede", mitigation="early")
    controller.cmd_step(300, panel="stampede")
    state = controller.state()["stampede"]
    early = next(
        o for o in spec["options"]["stampedeMitigation"]["options"] if o["value"] == "early"
    )
    assert ["early", early["label"], early["short"]] in state["mitigations"]
    assert [row["label"] for row in state["results"]] == [early["short"]]
    raw = json.dumps(spec)
    assert raw.count("Early expir") == 2  # the label and the short label, nowhere else


@pytest.mark.parametrize("name", ["microsims", "microsims.params", "microsims.bridge", *SIM_IDS])
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    module = microsims.controller_module(name) if name in SIM_IDS else importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# A module-level `let`/`var`, or a module-level object/array/Set/Map that the code then changes,
# would be shared by every instance of the sim on a page: view state belongs on `sim.view`.
TOP_LEVEL_MUTABLE = re.compile(r"^(?:let|var)\s|^(?:export\s+)?const\s+\w+\s*=\s*(?:\{|\[|new\s)")


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_a_sims_javascript_keeps_no_module_level_state(sim_id: str) -> None:
    found = []
    for path in sorted((ROOT / "sims" / sim_id).glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not TOP_LEVEL_MUTABLE.match(line):
                continue
            name = re.match(r"^(?:export\s+)?(?:let|var|const)\s+(\w+)", line)
            # constants: ALL_CAPS names and frozen tables are data, not state
            if name and name.group(1).isupper() and not re.match(r"^(?:let|var)\s", line):
                continue
            if "Object.freeze(" in line:
                continue
            found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == [], "module-level state; keep it on sim.view instead"
