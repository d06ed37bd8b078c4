"""Registry of MicroSim controllers: one Python class per sim, found by its sim-id.

Each MicroSim keeps its whole state in a *controller* (ARCHITECTURE seam 2): a class with a
``SIM_ID``, ``__init__(params, seed)``, ``state() -> dict`` (JSON-able, with ``"narration"``) and
one ``cmd_<name>(**kwargs)`` method per user action. The page never holds state of its own; it
sends commands through :mod:`kvengine.microsims.bridge` and draws the state it gets back.

Design choice: the registry maps a sim-id to a *module name* and imports that module only when a
sim of that id is first created. A missing or broken sim module therefore fails only its own sim
(with a clear error); the other sims, which share one Python interpreter in the browser, keep
working. A sim module may define its class under any name: the registry takes the class whose
``SIM_ID`` equals the sim-id (or a class named ``Controller``).

Usage::

    >>> from kvengine.microsims import create, register, SimInputError
    >>> class Echo:
    ...     SIM_ID = "echo"
    ...     def __init__(self, params, seed): self.text = params.get("text", "")
    ...     def state(self): return {"text": self.text, "narration": f"Echo: {self.text}"}
    ...     def cmd_say(self, text: str) -> None: self.text = text
    >>> register("echo", Echo)
    >>> create("echo", {"text": "hi"}, seed=1).state()["text"]
    'hi'
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "MODULES",
    "REGISTRY",
    "SimInputError",
    "UnknownSimError",
    "controller_class",
    "create",
    "register",
]

# sim-id -> module under kvengine.microsims that defines its controller (imported lazily).
MODULES: dict[str, str] = {
    "hash-table-lookup": "hash_table_lookup",
    "cache-eviction-simulator": "cache_eviction",
    "cache-failure-modes": "failure_modes",
}


class SimInputError(ValueError):
    """A user action the sim cannot carry out; the page shows ``str(error)`` as a notice.

    Raise it from a ``cmd_*`` method *before* changing any state, so the state stays as it was.
    """


class UnknownSimError(KeyError):
    """No controller is registered for this sim-id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown sim"


_classes: dict[str, type] = {}


def register(sim_id: str, cls: type) -> None:
    """Register (or replace) the controller class for ``sim_id``, e.g. an instructor's own sim."""
    _classes[sim_id] = cls


def _find_class(module: Any, sim_id: str) -> type:
    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and getattr(value, "SIM_ID", None) == sim_id
    ]
    if len(candidates) == 1:
        return candidates[0]
    fallback = getattr(module, "Controller", None)
    if isinstance(fallback, type):
        return fallback
    raise UnknownSimError(
        f"module {module.__name__} defines no controller class with SIM_ID = {sim_id!r}"
    )


def controller_class(sim_id: str) -> type:
    """The controller class for ``sim_id``, importing its module on first use.

    Raises :class:`UnknownSimError` for an unknown id; an error inside the sim module propagates
    (the bridge reports it as that sim's internal error).
    """
    if sim_id in _classes:
        return _classes[sim_id]
    module_name = MODULES.get(sim_id)
    if module_name is None:
        raise UnknownSimError(f"no MicroSim is called {sim_id!r}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    cls = _find_class(module, sim_id)
    _classes[sim_id] = cls
    return cls


def create(sim_id: str, params: Mapping[str, Any] | None = None, seed: int = 1) -> Any:
    """Create a controller: ``create("cache-failure-modes", {"servers": 10}, seed=1)``."""
    return controller_class(sim_id)(dict(params or {}), seed)


class _LazyRegistry(Mapping[str, type]):
    """``REGISTRY[sim_id] -> class``; imports the sim's module only when it is looked up."""

    def __getitem__(self, sim_id: str) -> type:
        try:
            return controller_class(sim_id)
        except UnknownSimError as error:
            raise KeyError(sim_id) from error

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*MODULES, *_classes]))

    def __len__(self) -> int:
        return len(set(MODULES) | set(_classes))


REGISTRY: Mapping[str, type] = _LazyRegistry()
