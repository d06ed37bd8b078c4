"""JSON bridge between the browser worker and the MicroSim controllers.

The Pyodide worker calls exactly one function, :func:`handle`, with a JSON request string and
posts the JSON reply string back to the page. Only plain JSON crosses the boundary -- no Python
object ever lives on the page -- so the same requests can be replayed in CPython by pytest.

Requests and replies::

    {"op": "create", "sim": id, "params": {...}, "seed": 1}
                                          -> {"ok": true, "handle": 3, "state": {...}}
    {"op": "call", "handle": 3, "method": "next", "args": {...}} -> {"ok": true, "state": {...}}
    {"op": "dispose", "handle": 3}                               -> {"ok": true}
    {"op": "hello"}                     -> {"ok": true, "python": "3.14.0 ...", "sims": [ids]}
    {"op": "import", "module": "my_sim"} -> {"ok": true}   (a module that calls register())

Only ``cmd_<method>`` methods are reachable. A :class:`SimInputError` becomes
``{"ok": false, "error": {"kind": "input", "message": ...}}`` (the page shows the message as a
notice; the state is unchanged); anything else becomes ``{"kind": "internal", "message": "The
engine hit an internal error.", "detail": traceback}`` -- the detail is for the console only.
``handle`` itself never raises.

Usage::

    >>> import json
    >>> from microsims import register
    >>> class Counter:
    ...     def __init__(self, params, seed): self.n = 0
    ...     def state(self): return {"n": self.n, "narration": f"n is {self.n}"}
    ...     def cmd_step(self, n=1): self.n += n
    >>> register("counter", Counter)
    >>> reply = json.loads(handle('{"op": "create", "sim": "counter", "params": {}, "seed": 1}'))
    >>> json.loads(handle(json.dumps({"op": "call", "handle": reply["handle"],
    ...                               "method": "step", "args": {"n": 2}})))["state"]["n"]
    2
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
import sys
import traceback
from typing import Any

from microsims import SimInputError, UnknownSimError, create, sim_ids

__all__ = ["handle", "live_handles"]

INTERNAL_MESSAGE = "The engine hit an internal error."
_METHOD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

_controllers: dict[int, Any] = {}
_next_handle = itertools.count(1)


class _BadRequest(Exception):
    """The request itself is malformed (a kit or sim bug, not a student's input)."""


def live_handles() -> list[int]:
    """Handles of the controllers that exist now (for tests and leak checks)."""
    return sorted(_controllers)


def _state_of(controller: Any) -> dict[str, Any]:
    state = controller.state()
    if not isinstance(state, dict):
        raise TypeError(f"state() must return a dict, not {type(state).__name__}")
    return state


def _controller(request: dict[str, Any]) -> Any:
    handle_id = request.get("handle")
    if not isinstance(handle_id, int) or handle_id not in _controllers:
        raise _BadRequest(f"no sim with handle {handle_id!r}")
    return _controllers[handle_id]


def _op_create(request: dict[str, Any]) -> dict[str, Any]:
    sim_id = request.get("sim")
    params = request.get("params") or {}
    seed = request.get("seed", 1)
    if not isinstance(sim_id, str):
        raise _BadRequest("create needs a sim id")
    if not isinstance(params, dict):
        raise _BadRequest("params must be an object")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _BadRequest("seed must be an integer")
    controller = create(sim_id, params, seed)
    state = _state_of(controller)
    handle_id = next(_next_handle)
    _controllers[handle_id] = controller
    return {"ok": True, "handle": handle_id, "state": state}


def _op_call(request: dict[str, Any]) -> dict[str, Any]:
    controller = _controller(request)
    method = request.get("method")
    args = request.get("args") or {}
    if not isinstance(method, str) or not _METHOD_NAME.match(method):
        raise _BadRequest(f"bad method name {method!r}")
    if not isinstance(args, dict):
        raise _BadRequest("args must be an object")
    command = getattr(controller, f"cmd_{method}", None)
    if not callable(command):
        raise _BadRequest(f"{type(controller).__name__} has no command {method!r}")
    command(**args)
    return {"ok": True, "state": _state_of(controller)}


def _op_dispose(request: dict[str, Any]) -> dict[str, Any]:
    _controllers.pop(request.get("handle"), None)  # type: ignore[arg-type]
    return {"ok": True}


def _op_hello(request: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "python": sys.version, "sims": sim_ids()}


def _op_import(request: dict[str, Any]) -> dict[str, Any]:
    module = request.get("module")
    if not isinstance(module, str) or not _MODULE_NAME.match(module):
        raise _BadRequest(f"bad module name {module!r}")
    importlib.import_module(module)
    return {"ok": True}


_OPS = {
    "create": _op_create,
    "call": _op_call,
    "dispose": _op_dispose,
    "hello": _op_hello,
    "import": _op_import,
}


def _internal(detail: str) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {"kind": "internal", "message": INTERNAL_MESSAGE, "detail": detail},
    }


def handle(request_json: str) -> str:
    """Run one JSON request and return the JSON reply; never raises (see the module docstring)."""
    try:
        request = json.loads(request_json)
        if not isinstance(request, dict):
            raise _BadRequest("a request must be a JSON object")
        op = _OPS.get(request.get("op"))  # type: ignore[arg-type]
        if op is None:
            raise _BadRequest(f"unknown op {request.get('op')!r}")
        reply = op(request)
    except SimInputError as error:
        reply = {"ok": False, "error": {"kind": "input", "message": str(error)}}
    except UnknownSimError as error:
        reply = _internal(f"UnknownSimError: {error}")
        reply["error"]["message"] = f"This MicroSim is not available: {error}."
    except Exception:  # noqa: BLE001 - the bridge must answer, whatever a sim does
        reply = _internal(traceback.format_exc())
    try:
        return json.dumps(reply, allow_nan=False)
    except (TypeError, ValueError):
        return json.dumps(_internal(traceback.format_exc()))
