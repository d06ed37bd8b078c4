"""The JSON bridge and the registry of sim folders, in CPython."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any

import pytest

import microsims
from microsims import SimInputError, bridge, register


class Tally:
    def __init__(self, params: dict[str, Any], seed: int) -> None:
        if params.get("start", 0) < 0:
            raise SimInputError("start must not be negative")
        self.start = params.get("start", 0)
        self.seed = seed
        self.cmd_reset()

    def cmd_reset(self) -> None:
        self.value = self.start

    def cmd_step(self, n: int = 1) -> None:
        if n < 1:
            raise SimInputError("n must be at least 1")
        self.value += n

    def cmd_crash(self) -> None:
        raise ZeroDivisionError("boom")

    def cmd_nan(self) -> None:
        self.value = float("nan")

    def secret(self) -> None:
        raise AssertionError("must not be reachable")

    def state(self) -> dict[str, Any]:
        return {"value": self.value, "seed": self.seed, "narration": f"value {self.value}"}


register("test-tally", Tally)


CLIENT = "page-1"


def ask(**request: Any) -> dict[str, Any]:
    request.setdefault("client", CLIENT)
    return json.loads(bridge.handle(json.dumps(request)))


def created(client: str = CLIENT, **params: Any) -> str:
    reply = ask(op="create", client=client, sim="test-tally", params=params, seed=7)
    assert reply["ok"], reply
    return str(reply["handle"])


@pytest.fixture
def development() -> Any:
    bridge.set_development(True)
    yield
    bridge.set_development(False)


def test_create_call_dispose_round_trip() -> None:
    reply = ask(op="create", sim="test-tally", params={"start": 5}, seed=7)
    assert reply["ok"] is True
    assert reply["state"] == {"value": 5, "seed": 7, "narration": "value 5"}
    handle = reply["handle"]
    assert ask(op="call", handle=handle, method="step", args={"n": 3})["state"]["value"] == 8
    assert ask(op="call", handle=handle, method="reset")["state"]["value"] == 5
    assert ask(op="dispose", handle=handle) == {"ok": True}
    assert handle not in bridge.live_handles()
    gone = ask(op="call", handle=handle, method="step", args={})
    assert gone["ok"] is False and gone["error"]["kind"] == "internal"


def test_each_sim_has_its_own_state() -> None:
    first, second = created(start=1), created(start=100)
    ask(op="call", handle=first, method="step", args={"n": 1})
    assert ask(op="call", handle=second, method="step", args={"n": 1})["state"]["value"] == 101
    assert ask(op="call", handle=first, method="step", args={"n": 1})["state"]["value"] == 3


def test_input_error_is_a_notice_and_leaves_state_unchanged() -> None:
    handle = created(start=2)
    reply = ask(op="call", handle=handle, method="step", args={"n": 0})
    assert reply == {"ok": False, "error": {"kind": "input", "message": "n must be at least 1"}}
    assert ask(op="call", handle=handle, method="step", args={"n": 1})["state"]["value"] == 3


def test_input_error_on_create() -> None:
    reply = ask(op="create", sim="test-tally", params={"start": -1}, seed=1)
    assert reply["error"]["kind"] == "input"


def test_internal_error_is_a_short_message_without_traceback() -> None:
    reply = ask(op="call", handle=created(), method="crash", args={})
    assert reply == {
        "ok": False,
        "error": {"kind": "internal", "message": "The engine hit an internal error."},
    }


def test_traceback_is_added_in_development_only(development: Any) -> None:
    reply = ask(op="call", handle=created(), method="crash", args={})
    assert reply["error"]["message"] == "The engine hit an internal error."
    assert "ZeroDivisionError: boom" in reply["error"]["detail"]


def test_handles_are_unguessable_tokens() -> None:
    handles = {created() for _ in range(50)}
    assert len(handles) == 50
    for handle in handles:
        assert len(handle) == 32 and int(handle, 16) >= 0  # 128 random bits, in hex
    assert not handles & {str(n) for n in range(1000)}


def test_a_page_reaches_only_its_own_controllers() -> None:
    mine = created(client="page-a", start=1)
    theirs = created(client="page-b", start=100)
    stolen = ask(op="call", client="page-a", handle=theirs, method="step", args={"n": 1})
    made_up = ask(op="call", client="page-a", handle="0" * 32, method="step", args={"n": 1})
    assert stolen == made_up  # another page's handle looks exactly like one that never existed
    assert stolen["ok"] is False and "ended" in stolen["error"]["message"]
    assert ask(op="dispose", client="page-a", handle=theirs) == {"ok": True}
    assert theirs in bridge.live_handles("page-b")  # not disposed by a stranger
    reply = ask(op="call", client="page-b", handle=theirs, method="step", args={"n": 1})
    assert reply["state"]["value"] == 101
    assert ask(op="call", client="page-a", handle=mine, method="step", args={})["ok"] is True


def test_release_frees_one_page_only() -> None:
    for _ in range(3):
        created(client="page-gone")
    kept = created(client="page-kept")
    assert len(bridge.live_handles("page-gone")) == 3
    assert ask(op="release", client="page-gone") == {"ok": True}
    assert bridge.live_handles("page-gone") == []
    assert kept in bridge.live_handles("page-kept")


@pytest.mark.parametrize(
    "request_",
    [
        {"op": "import", "module": "os"},
        {"op": "exec", "code": "import os"},
        {"op": "load_python", "url": "data:text/x-python,print(1)", "module": "x"},
        {"op": "create", "client": "bad client id!", "sim": "test-tally"},
    ],
)
def test_no_op_imports_or_runs_code(request_: dict[str, Any], development: Any) -> None:
    before = set(sys.modules)
    reply = json.loads(bridge.handle(json.dumps(request_)))
    assert reply["ok"] is False and reply["error"]["kind"] == "internal"
    assert set(sys.modules) == before


@pytest.mark.parametrize("method", ["secret", "state", "__init__", "_reset", "Step", "step;x"])
def test_only_cmd_methods_are_reachable(method: str) -> None:
    reply = ask(op="call", handle=created(), method=method, args={})
    assert reply["ok"] is False and reply["error"]["kind"] == "internal"


def test_non_json_state_becomes_an_internal_error() -> None:
    reply = json.loads(
        bridge.handle(json.dumps({"op": "call", "handle": created(), "method": "nan", "args": {}}))
    )
    assert reply["ok"] is False and reply["error"]["kind"] == "internal"


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        "{}",
        '{"op": "fly"}',
        '{"op": "create", "sim": 3}',
        '{"op": "create", "sim": "test-tally", "seed": "x"}',
        '{"op": "call", "handle": 1, "method": "step", "args": [1]}',
    ],
)
def test_malformed_requests_get_an_answer(raw: str) -> None:
    reply = json.loads(bridge.handle(raw))
    assert reply["ok"] is False and reply["error"]["kind"] == "internal"


def test_unknown_sim_names_itself() -> None:
    reply = ask(op="create", sim="no-such-sim", params={}, seed=1)
    assert reply["ok"] is False
    assert "no-such-sim" in reply["error"]["message"]


def test_hello_lists_the_registered_sims() -> None:
    reply = ask(op="hello")
    assert reply["ok"] is True
    assert {
        "hash-table-lookup",
        "cache-eviction-simulator",
        "cache-failure-modes",
        "test-tally",
    } <= set(reply["sims"])


def _sim_folder(root: Any, sim_id: str, controller: str | None) -> None:
    folder = root / sim_id
    folder.mkdir()
    (folder / "sim.json").write_text(json.dumps({"id": sim_id, "params": {}, "commands": []}))
    if controller is not None:
        (folder / "controller.py").write_text(textwrap.dedent(controller))


def test_registry_lists_folders_imports_lazily_and_a_broken_sim_fails_alone(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sim_folder(tmp_path, "test-broken", "raise ImportError('this sim is broken')\n")
    _sim_folder(
        tmp_path,
        "test-fine",
        """
        class Controller:
            def __init__(self, params, seed): self.seed = seed
            def state(self): return {"seed": self.seed, "narration": ""}
        """,
    )
    (tmp_path / "not-a-sim").mkdir()  # no sim.json: not listed, not guessed
    (tmp_path / "not-a-sim" / "controller.py").write_text("raise SystemExit\n")
    monkeypatch.setattr(microsims, "SIMS_DIR", tmp_path)
    monkeypatch.setattr(microsims, "_modules", {})
    module_name = "microsims.controllers.test_fine"
    assert {"test-broken", "test-fine"} <= set(microsims.sim_ids())
    assert "not-a-sim" not in microsims.sim_ids()
    assert module_name not in sys.modules  # listing does not import
    bridge.set_development(True)
    broken = ask(op="create", sim="test-broken", params={}, seed=1)
    bridge.set_development(False)
    assert broken["ok"] is False and "this sim is broken" in broken["error"]["detail"]
    assert ask(op="create", sim="test-fine", params={}, seed=4)["state"]["seed"] == 4
    assert microsims.controller_class("test-fine").__name__ == "Controller"
    assert ask(op="create", sim="not-a-sim", params={}, seed=1)["ok"] is False
    sys.modules.pop(module_name, None)


def test_a_folder_without_class_controller_is_reported(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sim_folder(tmp_path, "test-nameless", "class Sim:\n    pass\n")
    monkeypatch.setattr(microsims, "SIMS_DIR", tmp_path)
    monkeypatch.setattr(microsims, "_modules", {})
    reply = ask(op="create", sim="test-nameless", params={}, seed=1)
    assert reply["ok"] is False and "defines no class Controller" in reply["error"]["message"]
    sys.modules.pop("microsims.controllers.test_nameless", None)


def test_registry_finds_every_real_sim_by_its_folder() -> None:
    folders = sorted(p.parent.name for p in microsims.SIMS_DIR.glob("*/sim.json"))
    assert folders == [
        "cache-eviction-simulator",
        "cache-failure-modes",
        "hash-table-lookup",
        "redis-console",
    ]
    for sim_id in folders:
        assert microsims.spec(sim_id)["id"] == sim_id
        module = microsims.controller_module(sim_id)
        assert microsims.controller_class(sim_id) is module.Controller
        assert module.SIM_ID == sim_id
