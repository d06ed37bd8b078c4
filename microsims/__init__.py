"""The MicroSims' Python side: the registry of sim folders, one parameter checker, the bridge.

A MicroSim is one folder, ``sims/<id>/``. Two of its files matter here:

* ``sim.json``: the sim's spec -- its id, title, canvas height, URL parameters (type, range,
  default, label, help text), the commands its controller answers and the labels of its options.
  The page's controls, the URL-parameter checks (``sims/kit/params.js``), the sim's page and
  this package all read it, so each of those facts has one home.
* ``controller.py``: class ``Controller``, which owns the sim's whole state: ``__init__(params,
  seed)``, ``state() -> dict`` (JSON-able, with ``"narration"``) and one ``cmd_<name>(**kwargs)``
  method per command listed in ``sim.json``. The page never holds state of its own; it sends
  commands through :mod:`microsims.bridge` and draws the state it gets back.

The registry lists the folders that hold a ``sim.json`` (nothing else is looked for) and imports
a sim's ``controller.py`` only when a sim of that id is first created, so a broken controller
fails only its own sim; the other sims, which share one Python interpreter in the browser, keep
working. :func:`register` adds a controller class defined in code (a test, or an instructor's
module loaded into the page).

The same layout is used in CPython and in the browser: the build ships ``kvengine/``,
``microsims/`` and each ``sims/<id>/controller.py`` + ``sim.json`` in one zip
(``hooks/build_assets.py``), so ``SIMS_DIR`` is found next to this package in both.

Usage::

    >>> from microsims import create, sim_ids
    >>> [sim for sim in sim_ids() if sim.startswith("cache-")]
    ['cache-eviction-simulator', 'cache-failure-modes']
    >>> create("cache-failure-modes", {"servers": 12}, seed=1).state()["params"]["servers"]
    12
    >>> class Echo:
    ...     def __init__(self, params, seed): self.text = params.get("text", "")
    ...     def state(self): return {"text": self.text, "narration": f"Echo: {self.text}"}
    ...     def cmd_say(self, text: str) -> None: self.text = text
    >>> register("echo", Echo)
    >>> create("echo", {"text": "hi"}, seed=1).state()["text"]
    'hi'
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "SIMS_DIR",
    "SimInputError",
    "UnknownSimError",
    "controller_class",
    "controller_module",
    "create",
    "register",
    "sim_ids",
    "spec",
    "spec_beside",
]

SIMS_DIR = Path(__file__).resolve().parent.parent / "sims"
SPEC_FILE = "sim.json"
CONTROLLER_FILE = "controller.py"


class SimInputError(ValueError):
    """A user action the sim cannot carry out; the page shows ``str(error)`` as a notice.

    Raise it from a ``cmd_*`` method *before* changing any state, so the state stays as it was.
    """


class UnknownSimError(KeyError):
    """No sim folder and no registered controller has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown sim"


_registered: dict[str, type] = {}
_modules: dict[str, ModuleType] = {}
_specs: dict[str, dict[str, Any]] = {}


def register(sim_id: str, cls: type) -> None:
    """Register (or replace) a controller class defined in code, e.g. a test's own sim."""
    _registered[sim_id] = cls


def _folder(sim_id: str) -> Path | None:
    if not isinstance(sim_id, str) or "/" in sim_id or sim_id.startswith("."):
        return None
    folder = SIMS_DIR / sim_id
    return folder if (folder / SPEC_FILE).is_file() else None


def sim_ids() -> list[str]:
    """The ids of every sim: the folders ``sims/<id>/`` with a ``sim.json``, plus registered."""
    folders = [path.parent.name for path in SIMS_DIR.glob(f"*/{SPEC_FILE}")]
    return sorted({*folders, *_registered})


def spec_beside(path: str | Path) -> dict[str, Any]:
    """The ``sim.json`` in the folder of ``path`` (a controller passes its own ``__file__``)."""
    file = Path(path).resolve().parent / SPEC_FILE
    key = str(file)
    if key not in _specs:
        _specs[key] = json.loads(file.read_text(encoding="utf-8"))
    return _specs[key]


def spec(sim_id: str) -> dict[str, Any]:
    """The parsed ``sims/<sim_id>/sim.json``; :class:`UnknownSimError` if there is none."""
    folder = _folder(sim_id)
    if folder is None:
        raise UnknownSimError(f"no MicroSim is called {sim_id!r}")
    return spec_beside(folder / CONTROLLER_FILE)


def controller_module(sim_id: str) -> ModuleType:
    """``sims/<sim_id>/controller.py`` as a module, imported on first use."""
    if sim_id in _modules:
        return _modules[sim_id]
    folder = _folder(sim_id)
    if folder is None:
        raise UnknownSimError(f"no MicroSim is called {sim_id!r}")
    name = f"microsims.controllers.{sim_id.replace('-', '_')}"
    loader_spec = importlib.util.spec_from_file_location(name, folder / CONTROLLER_FILE)
    if loader_spec is None or loader_spec.loader is None:
        raise UnknownSimError(f"sims/{sim_id}/{CONTROLLER_FILE} cannot be imported")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[name] = module  # dataclasses and doctest look a class's module up here
    try:
        loader_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    _modules[sim_id] = module
    return module


def controller_class(sim_id: str) -> type:
    """The controller class for ``sim_id``: a registered one, else its folder's ``Controller``.

    Raises :class:`UnknownSimError` for an unknown id; an error inside the controller module
    propagates (the bridge reports it as that sim's internal error).
    """
    if sim_id in _registered:
        return _registered[sim_id]
    module = controller_module(sim_id)
    cls = getattr(module, "Controller", None)
    if not isinstance(cls, type):
        raise UnknownSimError(f"sims/{sim_id}/{CONTROLLER_FILE} defines no class Controller")
    return cls


def create(sim_id: str, params: Mapping[str, Any] | None = None, seed: int = 1) -> Any:
    """Create a controller: ``create("cache-failure-modes", {"servers": 10}, seed=1)``."""
    return controller_class(sim_id)(dict(params or {}), seed)
