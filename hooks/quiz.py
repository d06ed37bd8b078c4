"""MkDocs hook: the chapter's questions, with every answer computed by the engine at build time.

A page asks a question with a placeholder, ``<div data-quiz="ID"></div>``, where ID names an entry
of the ``questions.yml`` next to the page. The hook replaces the placeholder (in the rendered
HTML, ``on_page_content``) with the question component that ``docs/javascripts/quiz.js``
enhances: a fieldset of radio buttons (``kind: choice``) or a labelled input (``kind: number``),
a Check button, a live feedback line and a collapsed "Check your answer" with the reason and the
sim state that shows it. Without JavaScript the question and its answer still read as text.

No answer is typed into a page: each ``answer`` (and each ``values`` entry the texts quote) is a
Python expression evaluated here over ``kvengine`` and its scenario models, with the helpers
below (a replay of an access sequence against a real ``Store``, the stampede window's figures,
...). An answer marked ``seeds: all`` is evaluated with ``seed = 1``; ``tests/test_questions.py``
checks that it is the same for every seed from 1 to 200.

Usage (``mkdocs.yml``)::

    hooks: [hooks/build_assets.py, hooks/quiz.py]
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import markdown
import yaml
from mkdocs.exceptions import PluginError

import kvengine
from kvengine import ResponseError, Store, VirtualClock
from kvengine.hashing import fnv1a_32, key_bytes, sum_bytes_32
from kvengine.scenarios import HotKeyModel, StampedeModel
from kvengine.scenarios.cluster import key_hash_slot, shard_for_slot, slot_ranges

QUESTIONS_FILE = "questions.yml"
PLACEHOLDER = re.compile(r'<div data-quiz="([A-Za-z0-9:_-]+)">\s*</div>')
KINDS = ("choice", "number")
STAMPEDE_WINDOW = 300  # ticks: the failure-modes sim's results-table window
HOTKEY_WINDOW = 120
STEP_MS = 1000  # the eviction sim: one access per virtual second
EXACT_SAMPLES = 64  # the eviction sim's exact mode: the engine examines every key


# ---------------------------------------------------------------- helpers the expressions use


def replay(sequence: str, policy: str, capacity: int) -> list[dict[str, Any]]:
    """Cache-aside over ``sequence`` (keys separated by spaces) in a ``Store`` of ``capacity``
    keys under ``allkeys-<policy>`` (exact LRU/LFU, as the eviction sim's default mode): one
    access per virtual second, GET, and SET on a miss. One entry per access:
    ``{"step", "key", "hit", "evicted"}``.

    >>> [e["evicted"] for e in replay("A B C D", "lru", 3)]
    [None, None, None, 'A']
    """
    clock = VirtualClock(0)
    events: list[dict[str, Any]] = []
    store = Store(
        clock=clock,
        policy=f"allkeys-{policy}",
        maxkeys=capacity,
        samples=EXACT_SAMPLES,
        lfu_counter="exact",
    )
    store.add_listener(events.append)
    log = []
    for step, key in enumerate(sequence.split(), start=1):
        clock.advance(STEP_MS)
        events.clear()
        hit = store.get(key) is not None
        if not hit:
            store.set(key, f"{key.lower()}-row")
        store.tick()
        evicted = [e["key"] for e in events if e.get("type") == "evict"]
        log.append(
            {"step": step, "key": key, "hit": hit, "evicted": evicted[0] if evicted else None}
        )
    return log


def keys_before(sequence: str, policy: str, capacity: int, step: int) -> list[str]:
    """The keys cached just before access number ``step`` (1-based), in alphabetical order."""
    cached: set[str] = set()
    for entry in replay(sequence, policy, capacity)[: step - 1]:
        cached.add(entry["key"])
        cached.discard(entry["evicted"])
    return sorted(cached)


def last_use(sequence: str, step: int, key: str) -> int:
    """The last access (1-based) before ``step`` that read ``key``."""
    keys = sequence.split()
    return max(i for i in range(1, step) if keys[i - 1] == key)


def ttl_after(key: str, ex_seconds: int, elapsed_seconds: int) -> int:
    """``TTL key`` after ``SET key v EX ex_seconds`` and ``elapsed_seconds`` of virtual time."""
    clock = VirtualClock(0)
    store = Store(clock=clock)
    store.execute("SET", key, "{...}", "EX", str(ex_seconds))
    clock.advance(elapsed_seconds * 1000)
    return int(store.execute("TTL", key))


def lazy_expired_get_is_nil() -> bool:
    """True when a key past its deadline is still counted by DBSIZE (nothing deleted it yet) and
    a GET answers nil (and deletes it): lazy expiration."""
    clock = VirtualClock(0)
    store = Store(clock=clock)
    store.execute("SET", "k", "v", "PX", "1000")
    clock.advance(2000)
    still_there = store.execute("DBSIZE") == 1
    return still_there and store.get("k") is None and store.execute("DBSIZE") == 0


def noeviction_keeps_keys() -> bool:
    """True when a full ``noeviction`` store refuses a new key with OOM and keeps the old ones."""
    store = Store(clock=VirtualClock(0), policy="noeviction", maxkeys=2)
    store.set("cart:1", "x")
    store.set("cart:2", "y")
    try:
        store.set("cart:3", "z")
    except ResponseError as error:
        return str(error).startswith("OOM") and sorted(store.keys()) == ["cart:1", "cart:2"]
    return False


@cache
def stampede(keys: int, mitigation: str, seed: int, servers: int = 10) -> dict[str, Any]:
    """``StampedeModel``'s figures after the results table's window (300 ticks)."""
    model = StampedeModel(servers=servers, keys=keys, mitigation=mitigation, seed=seed)
    return model.run(STAMPEDE_WINDOW)


@cache
def hotkey(mitigation: str, seed: int, shards: int = 3) -> dict[str, Any]:
    """``HotKeyModel``'s figures after the results table's window (120 ticks), with
    ``overloadedShards``: the shards (numbered from 1) overloaded in at least one tick."""
    snap = HotKeyModel(shards=shards, mitigation=mitigation, seed=seed).run(HOTKEY_WINDOW)
    overloaded = [shard["id"] for shard in snap["shards"] if shard["overloadedTicks"]]
    return {**snap, "overloadedShards": overloaded}


def hot_share_with(shards: int, seed: int = 1) -> float:
    """The largest share of all requests one node serves, after 120 ticks with ``shards``."""
    return float(HotKeyModel(shards=shards, seed=seed).run(HOTKEY_WINDOW)["maxShare"])


def single(items: list[Any]) -> Any:
    """The one item of ``items`` (an error if there are none or several)."""
    if len(items) != 1:
        raise ValueError(f"expected exactly one, found {items}")
    return items[0]


def same_slot_option(pairs: Mapping[str, tuple[str, str]]) -> str:
    """The one option whose two keys share a Redis Cluster hash slot."""
    same = [name for name, (a, b) in pairs.items() if key_hash_slot(a) == key_hash_slot(b)]
    if len(same) != 1:
        raise ValueError(f"expected exactly one pair in the same slot, found {same}")
    return same[0]


def namespace(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """The names an expression may use (``overrides`` replace helpers, e.g. in the tests)."""
    names: dict[str, Any] = {
        "kvengine": kvengine,
        "Store": Store,
        "VirtualClock": VirtualClock,
        "fnv1a_32": fnv1a_32,
        "sum_bytes_32": sum_bytes_32,
        "key_bytes": key_bytes,
        "key_hash_slot": key_hash_slot,
        "slot_ranges": slot_ranges,
        "shard_for_slot": shard_for_slot,
        "StampedeModel": StampedeModel,
        "HotKeyModel": HotKeyModel,
        "replay": replay,
        "keys_before": keys_before,
        "last_use": last_use,
        "ttl_after": ttl_after,
        "lazy_expired_get_is_nil": lazy_expired_get_is_nil,
        "noeviction_keeps_keys": noeviction_keeps_keys,
        "stampede": stampede,
        "hotkey": hotkey,
        "hot_share_with": hot_share_with,
        "same_slot_option": same_slot_option,
        "single": single,
        "seed": seed,
    }
    names.update(overrides)
    return names


# ---------------------------------------------------------------- loading and evaluating


def load(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(questions by id, constants) from a questions.yml; a malformed entry raises PluginError."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    constants = dict(data.pop("_constants", {}) or {})
    for qid, q in data.items():
        where = f"{path.name}: question {qid!r}"
        if not isinstance(q, dict):
            raise PluginError(f"{where} is not a mapping")
        missing = [f for f in ("kind", "title", "question", "answer", "explain") if f not in q]
        if missing:
            raise PluginError(f"{where} lacks {', '.join(missing)}")
        if q["kind"] not in KINDS:
            raise PluginError(f"{where}: kind must be one of {KINDS}, not {q['kind']!r}")
        if q["kind"] == "choice" and "options" not in q:
            raise PluginError(f"{where}: a choice needs options")
        if q["kind"] == "number" and "label" not in q:
            raise PluginError(f"{where}: a number needs a label for its input")
    return data, constants


def evaluate(
    q: Mapping[str, Any], constants: Mapping[str, Any], seed: int = 1, **overrides: Any
) -> dict[str, Any]:
    """The question with its expressions evaluated: ``answer`` (str), ``options`` ({id: text}),
    ``values`` ({name: str}), for ``seed``."""
    names = {**namespace(seed, **overrides), **constants}

    def run(expression: str, what: str) -> Any:
        try:
            return eval(compile(expression, f"<{what}>", "eval"), names)  # noqa: S307 - our data
        except Exception as error:
            raise PluginError(f"{what}: {expression!r} failed: {error!r}") from error

    answer = run(str(q["answer"]), "answer")
    values = {
        name: str(run(str(expr), f"values.{name}")) for name, expr in q.get("values", {}).items()
    }
    options = q.get("options")
    if isinstance(options, str):
        options = {str(key): f"`{key}`" for key in run(options, "options")}
    options = {str(k): str(v) for k, v in (options or {}).items()}
    if q["kind"] == "number":
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise PluginError(f"answer {q['answer']!r} gave {answer!r}, not a whole number")
    elif str(answer) not in options:
        raise PluginError(f"answer {q['answer']!r} gave {answer!r}, not one of {list(options)}")
    return {"answer": str(answer), "options": options, "values": values}


# ---------------------------------------------------------------- rendering


def _inline(text: str, values: Mapping[str, str]) -> str:
    """Markdown of one paragraph as inline HTML, with {name} replaced by the computed values."""
    filled = string.Formatter().vformat(str(text).strip(), (), values)
    rendered = markdown.markdown(filled)
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def render(qid: str, q: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    """The component's HTML for one question (see docs/javascripts/quiz.js)."""
    values = {**result["values"], "answer": result["answer"]}
    text = {k: _inline(q[k], values) for k in ("question", "explain")}
    where = _inline(q["where"], values) if q.get("where") else ""
    why = {str(k): _inline(v, values) for k, v in (q.get("why") or {}).items()}
    uid = "quiz-" + re.sub(r"[^A-Za-z0-9_-]", "-", qid)
    attr = html.escape
    prompt = q["title"] != "Check your understanding"
    parts = [
        f'<div class="quiz{" quiz--prompt" if prompt else ""}" data-quiz="{attr(qid)}" '
        f'data-kind="{q["kind"]}" data-answer="{attr(result["answer"])}" id="{uid}">'
    ]
    if q["kind"] == "choice":
        parts.append(
            f'<fieldset class="quiz__body"><legend class="quiz__legend">'
            f'<span class="quiz__title">{attr(q["title"])}:</span> {text["question"]}'
            "</legend>"
        )
        for n, (value, label) in enumerate(result["options"].items()):
            oid = f"{uid}-{n}"
            reason = f' data-why="{attr(why[value])}"' if value in why else ""
            parts.append(
                f'<div class="quiz__option"><input type="radio" name="{uid}" id="{oid}" '
                f'value="{attr(value)}"{reason}><label for="{oid}">'
                f"{_inline(label, values)}</label></div>"
            )
        parts.append("</fieldset>")
    else:
        unit = f' <span class="quiz__unit">{attr(q["unit"])}</span>' if q.get("unit") else ""
        hint = f' data-hint="{attr(_inline(q["hint"], values))}"' if q.get("hint") else ""
        parts.append(
            f'<div class="quiz__body" role="group" aria-labelledby="{uid}-q"{hint}>'
            f'<p class="quiz__legend" id="{uid}-q"><span class="quiz__title">'
            f"{attr(q['title'])}:</span> {text['question']}</p>"
            f'<p class="quiz__field"><label for="{uid}-input">{attr(q["label"])}</label> '
            f'<input type="text" inputmode="numeric" autocomplete="off" id="{uid}-input" '
            f'class="quiz__input" size="6">{unit}</p></div>'
        )
    parts.append(
        f'<p class="quiz__actions"><button type="button" class="md-button quiz__check" hidden>'
        f"Check</button></p>"
        f'<p class="quiz__feedback" role="status" aria-live="polite" id="{uid}-feedback"></p>'
        f'<details class="quiz__answer"><summary>Check your answer</summary>'
        f'<p class="quiz__explain">{_answer_line(q, result, values)} {text["explain"]}</p>'
    )
    if where:
        parts.append(f'<p class="quiz__where"><strong>Where to see it:</strong> {where}</p>')
    parts.append("</details></div>")
    return "".join(parts)


def _answer_line(q: Mapping[str, Any], result: Mapping[str, Any], values: Mapping[str, str]) -> str:
    if q["kind"] == "choice":
        label = _inline(result["options"][result["answer"]], values)
        return f"<strong>Answer: {label}.</strong>"
    unit = f" {html.escape(q['unit'])}" if q.get("unit") else ""
    return f"<strong>Answer: {html.escape(result['answer'])}{unit}.</strong>"


def expand(content: str, source: Path, evaluate_fn: Callable[..., Any] = evaluate) -> str:
    """``content`` with each placeholder replaced by its question from ``source``."""
    if not PLACEHOLDER.search(content):
        return content
    if not source.is_file():
        raise PluginError(f"{source} is missing: the page has data-quiz placeholders")
    questions, constants = load(source)

    def one(match: re.Match[str]) -> str:
        qid = match.group(1)
        if qid not in questions:
            raise PluginError(f"{source.name} has no question {qid!r} (a data-quiz placeholder)")
        try:
            result = evaluate_fn(questions[qid], constants)
        except PluginError as error:
            raise PluginError(f"{source.name}: question {qid!r}: {error}") from error
        return render(qid, questions[qid], result)

    return PLACEHOLDER.sub(one, content)


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    source = (
        Path(page.file.abs_src_path).parent / QUESTIONS_FILE if page.file.abs_src_path else None
    )
    if source is None:
        return html_text
    return expand(html_text, source)
