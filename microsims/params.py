"""One checker for every sim's parameters, driven by the sim's ``sim.json``.

A parameter is declared once, in ``sims/<id>/sim.json``::

    "capacity": {"type": "int", "min": 3, "max": 10, "default": 6, "unit": "slots",
                 "label": "Capacity", "help": "How many keys the cache holds."}

Types (the same as ``sims/kit/params.js``, which checks URL parameters in the page):
``int`` (``min``/``max``), ``number`` (``min``/``max``), ``string`` (``maxLength``),
``enum`` (``options``: a list of ``{"value", "label"}``) and ``bool``.
An ``int`` may also name another ``int`` parameter in ``maxFrom``: its value may not exceed that
parameter's value, and when it is not given it takes that value (the failure-modes sim's ``keys``
runs from 1 to ``servers`` and is ``servers`` by default); ``max``/``default`` then state the
widest range and the default of the defaults, for the pages' parameter tables.
A controller calls :func:`read_params` in its ``__init__`` (a bad value falls back to the
default, with a notice) and :func:`check` in a command (a bad value raises
:class:`~microsims.SimInputError`, whose text the page shows; nothing changes).

URL text in other forms than the canonical one (the same decisions as ``params.js``): spaces
around a value, a plus sign or leading zeros on a number (``" 8 "``, ``"+5"``, ``"08"``) are
read as the canonical value, and :func:`read_params` says so (``Read size=" 8 " as 8.``); a
text parameter is taken as it is (a space is part of a key). A parameter given more than once
(a list, as :func:`urllib.parse.parse_qs` returns it): the first wins, with a notice.

>>> capacity = {"type": "int", "min": 3, "max": 10, "default": 6, "label": "Capacity",
...             "unit": "slots"}
>>> check("capacity", capacity, "8")
8
>>> check("capacity", capacity, 11)
Traceback (most recent call last):
...
microsims.SimInputError: Capacity must be a whole number from 3 to 10 slots.
>>> read_params({"params": {"capacity": capacity}}, {"capacity": True})
({'capacity': 6}, ['Capacity must be a whole number from 3 to 10 slots; using 6.'])
>>> read_params({"params": {"capacity": capacity}}, {"capacity": ["+5", "9"]})[1]
['capacity is given 2 times; using the first, capacity="+5".', 'Read capacity="+5" as 5.']
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from microsims import SimInputError
from microsims.bidi import isolate

__all__ = ["check", "choices", "form_notice", "labels", "read_params"]

_WHOLE = re.compile(r"\s*[+-]?\d{1,18}\s*")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def choices(entry: Mapping[str, Any]) -> list[Any]:
    """The values of an ``enum`` parameter or of an option list, in their order."""
    return [option["value"] for option in entry["options"]]


def labels(entry: Mapping[str, Any], field: str = "label") -> dict[Any, str]:
    """``{value: label}`` of an option list; ``field="short"`` gives the short labels (the
    canvas's), falling back to the label where an option has none."""
    return {o["value"]: o.get(field, o["label"]) for o in entry["options"]}


def _range(param: Mapping[str, Any]) -> str:
    unit = f" {param['unit']}" if param.get("unit") else ""
    return f"from {param['min']:g} to {param['max']:g}{unit}"


def _label(name: str, param: Mapping[str, Any]) -> str:
    return str(param.get("label", name))


def check(name: str, param: Mapping[str, Any], value: Any) -> Any:
    """``value`` as the parameter's type if it is valid, else :class:`SimInputError`.

    Whole numbers may arrive as ``int``, as an integral ``float`` or as digits in a string (a
    URL's text); ``True``/``False`` are never numbers.
    """
    kind = param["type"]
    label = _label(name, param)
    if kind in ("int", "number"):
        number: Any = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and math.isfinite(value):
            number = int(value) if kind == "int" and value.is_integer() else value
        elif isinstance(value, str) and _WHOLE.fullmatch(value):
            number = int(value)
        elif isinstance(value, str) and kind == "number":
            try:
                number = float(value)
            except ValueError:
                number = None
        whole = kind == "int"
        ok = number is not None and (not whole or isinstance(number, int))
        ok = ok and param.get("min", -math.inf) <= number <= param.get("max", math.inf)
        if not ok:
            what = "a whole number" if whole else "a number"
            raise SimInputError(f"{label} must be {what} {_range(param)}.")
        return number
    if kind == "enum":
        values = choices(param)
        if isinstance(value, str) and value.strip() in values:
            value = value.strip()
        if value not in values:
            shown = ", ".join(str(v) for v in values)
            raise SimInputError(f"{label} must be one of {shown}.")
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise SimInputError(f"{label} must be true or false.")
    if not isinstance(value, str):
        raise SimInputError(f"{label} must be text.")
    limit = param.get("maxLength")
    if limit is not None and len(value) > limit:
        raise SimInputError(f"{label} must be at most {limit:,} characters.")
    return value


def _url_text(value: Any) -> str:
    """How ``value`` is written in a URL (JavaScript's ``String(value)``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "\u2026"
    return isolate(json.dumps(shown, ensure_ascii=False))


def form_notice(name: str, param: Mapping[str, Any], raw: Any, value: Any) -> str | None:
    """The notice for a valid URL text in another form than ``value``'s canonical one, else None.

    >>> form_notice("size", {"type": "int"}, " 8 ", 8)
    'Read size=" 8 " as 8.'
    >>> form_notice("size", {"type": "int"}, "8", 8) is None
    True
    """
    if not isinstance(raw, str) or param["type"] == "string":
        return None
    canonical = _url_text(value)
    same = raw.strip() == raw if param["type"] == "bool" else raw == canonical
    return None if same else f"Read {name}={_quoted(raw)} as {canonical}."


def read_params(
    spec: Mapping[str, Any], params: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[str]]:
    """Every parameter of ``spec``: its value from ``params`` if valid, else its default.

    Returns ``(values, notices)``; a notice says which value was refused and what is used.
    A missing value, ``None`` or ``""`` is simply the default (no notice). A parameter with
    ``maxFrom`` is checked against the value its bound got; missing or refused, it takes it.

    >>> spec = {"params": {
    ...     "servers": {"type": "int", "min": 2, "max": 20, "default": 10, "label": "Servers"},
    ...     "keys": {"type": "int", "min": 1, "max": 20, "default": 10, "maxFrom": "servers",
    ...              "label": "Hot keys"}}}
    >>> read_params(spec, {"servers": 4})
    ({'servers': 4, 'keys': 4}, [])
    >>> values, notices = read_params(spec, {"servers": 4, "keys": 9})
    >>> values, notices
    ({'servers': 4, 'keys': 4}, ['Hot keys must be a whole number from 1 to 4 (the servers); \
using 4.'])
    """
    given = params if isinstance(params, Mapping) else {}
    declared = spec.get("params", {})
    values: dict[str, Any] = {}
    notices: list[str] = []
    taken: set[str] = set()  # the parameters whose given value was valid
    refused: set[str] = set()  # refused values of parameters bounded by another (maxFrom)
    for name, param in declared.items():
        default = param["default"]
        raw = given.get(name)
        values[name] = default
        if isinstance(raw, (list, tuple)):
            if len(raw) > 1:
                first = _quoted(str(raw[0]))
                notices.append(
                    f"{name} is given {len(raw)} times; using the first, {name}={first}."
                )
            raw = raw[0] if raw else None
        if raw is None or raw == "":
            continue
        try:
            values[name] = check(name, param, raw)
            taken.add(name)
            form = form_notice(name, param, raw, values[name])
            if form:
                notices.append(form)
        except SimInputError as error:
            if "maxFrom" in param:
                refused.add(name)  # told below, with the range its bound allows
            else:
                notices.append(f"{str(error).rstrip('.')}; using {default}.")
    for name, param in declared.items():
        if "maxFrom" not in param:
            continue
        limit = values[param["maxFrom"]]
        if name in refused or (name in taken and values[name] > limit):
            bound = _label(param["maxFrom"], declared[param["maxFrom"]]).lower()
            notices.append(
                f"{_label(name, param)} must be a whole number from {param['min']:g} to "
                f"{limit:g} (the {bound}); using {limit}."
            )
        if name not in taken or values[name] > limit:
            values[name] = limit
    return values, notices
