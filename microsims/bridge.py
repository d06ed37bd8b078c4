"""JSON bridge between the browser worker and the MicroSim controllers.

The Pyodide worker calls exactly one function, :func:`handle`, with a JSON request string and
posts the JSON reply string back to the page. Only plain JSON crosses the boundary -- no Python
object ever lives on the page -- so the same requests can be replayed in CPython by pytest.

Requests and replies (``client`` is set by the worker, never by a page: one id per connected
page, so a page reaches only the controllers it created)::

    {"op": "create", "client": c, "sim": id, "params": {...}, "seed": 1}
                                        -> {"ok": true, "handle": "3f9c...", "state": {...}}
    {"op": "call", "client": c, "handle": h, "method": "next", "args": {...}}
                                        -> {"ok": true, "state": {...}}
    {"op": "dispose", "client": c, "handle": h}  -> {"ok": true}
    {"op": "release", "client": c}                -> {"ok": true}  (the page has gone)
    {"op": "hello"}                     -> {"ok": true, "python": "3.14.0 ...", "sims": [ids]}

Who can do what. Every page of the origin can connect to the worker (a shared host may put
unrelated pages on one origin), so the bridge trusts nothing in a request but the worker's
``client`` field: a handle is a random token (:func:`secrets.token_hex`), valid only together
with the client that created it -- another page's handle, a guessed one and a disposed one all
get the same "no such sim" answer. Only ``cmd_<method>`` methods are reachable, and there is no
op that imports or runs code: the sims that can be created are the registry's
(:mod:`microsims`: the sim folders in the engine's zip, or added by the worker from the site's
own ``sims/<id>/`` folder).

Errors. A :class:`SimInputError` becomes ``{"ok": false, "error": {"kind": "input", "message":
...}}`` (the page shows the message as a notice; the state is unchanged); anything else
``{"kind": "internal", "message": "The engine hit an internal error."}`` -- a short sentence for
the student. The Python traceback is added as ``"detail"`` (which the page logs to the console)
only in development (:func:`set_development`; the worker turns it on when the site is served by
``mkdocs serve``), so a published site never shows its internals. ``handle`` itself never raises.

Usage::

    >>> import json
    >>> from microsims import register
    >>> class Counter:
    ...     def __init__(self, params, seed): self.n = 0
    ...     def state(self): return {"n": self.n, "narration": f"n is {self.n}"}
    ...     def cmd_step(self, n=1): self.n += n
    >>> register("counter", Counter)
    >>> ask = lambda **request: json.loads(handle(json.dumps(request)))
    >>> sim = ask(op="create", client="page-1", sim="counter", params={}, seed=1)["handle"]
    >>> ask(op="call", client="page-1", handle=sim, method="step", args={"n": 2})["state"]["n"]
    2
    >>> ask(op="call", client="page-2", handle=sim, method="step", args={})["ok"]
    False
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import traceback
from typing import Any

from microsims import SimInputError, UnknownSimError, create, sim_ids

__all__ = ["handle", "live_handles", "set_development"]

INTERNAL_MESSAGE = "The engine hit an internal error."
GONE_MESSAGE = "This simulation's engine session has ended. Reload the page to start again."
_METHOD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CLIENT = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")

# handle -> (client, controller); a handle is 128 random bits, so it cannot be guessed
_controllers: dict[str, tuple[str, Any]] = {}
_development = False


class _BadRequest(Exception):
    """The request itself is malformed (a kit or sim bug, not a student's input)."""


class _Gone(Exception):
    """No controller with this handle for this client (disposed, another page's, or made up)."""


def set_development(on: bool) -> None:
    """Add Python tracebacks to internal errors (``"detail"``): for ``mkdocs serve`` only."""
    global _development
    _development = bool(on)


def live_handles(client: str | None = None) -> list[str]:
    """Handles of the controllers that exist now, of one client or of all (tests, leak checks)."""
    return sorted(h for h, (owner, _) in _controllers.items() if client in (None, owner))


def _state_of(controller: Any) -> dict[str, Any]:
    state = controller.state()
    if not isinstance(state, dict):
        raise TypeError(f"state() must return a dict, not {type(state).__name__}")
    return state


def _client(request: dict[str, Any]) -> str:
    client = request.get("client", "")
    if not isinstance(client, str) or not _CLIENT.match(client):
        raise _BadRequest("bad client id")
    return client


def _controller(request: dict[str, Any]) -> Any:
    entry = _controllers.get(request.get("handle"))  # type: ignore[arg-type]
    if entry is None or entry[0] != _client(request):
        raise _Gone(f"no sim with handle {request.get('handle')!r} for this client")
    return entry[1]


def _op_create(request: dict[str, Any]) -> dict[str, Any]:
    client = _client(request)
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
    handle_id = secrets.token_hex(16)
    _controllers[handle_id] = (client, controller)
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
    client = _client(request)
    entry = _controllers.get(request.get("handle"))  # type: ignore[arg-type]
    if entry is not None and entry[0] == client:
        del _controllers[request["handle"]]
    return {"ok": True}


def _op_release(request: dict[str, Any]) -> dict[str, Any]:
    client = _client(request)
    for handle_id in live_handles(client):
        del _controllers[handle_id]
    return {"ok": True}


def _op_hello(request: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "python": sys.version, "sims": sim_ids()}


_OPS = {
    "create": _op_create,
    "call": _op_call,
    "dispose": _op_dispose,
    "release": _op_release,
    "hello": _op_hello,
}


def _error(kind: str, message: str, detail: str) -> dict[str, Any]:
    error = {"kind": kind, "message": message}
    if _development:
        error["detail"] = detail
    return {"ok": False, "error": error}


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
        message = f"This MicroSim is not available: {error}."
        reply = _error("internal", message, f"UnknownSimError: {error}")
    except _Gone as error:
        reply = _error("internal", GONE_MESSAGE, f"{error}")
    except Exception:  # noqa: BLE001 - the bridge must answer, whatever a sim does
        reply = _error("internal", INTERNAL_MESSAGE, traceback.format_exc())
    try:
        return json.dumps(reply, allow_nan=False)
    except (TypeError, ValueError):
        return json.dumps(_error("internal", INTERNAL_MESSAGE, traceback.format_exc()))
