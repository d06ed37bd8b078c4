"""The chapter's questions: every answer computed by the engine, none typed into the page.

``docs/chapters/05-key-value-stores/questions.yml`` holds the questions; the chapter holds only
``<div data-quiz="ID"></div>`` placeholders that ``hooks/quiz.py`` fills at build time. These
tests check that each numeric answer is an expression (never a literal), that it evaluates, that
it matches what the engine gives when derived another way (an independent FNV-1a and CRC16, the
eviction sim's own controller, the claim grids of ``tests/claims.py``), that answers said to hold
for every seed do so for seeds 1-200, and that the built chapter carries the rendered questions.
Browser behaviour (Check, feedback, keyboard, axe) is in ``tests/browser/test_quiz.py``.
"""

from __future__ import annotations

import ast
import binascii
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from tests import claims

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_DIR = ROOT / "docs" / "chapters" / "05-key-value-stores"
CHAPTER_MD = CHAPTER_DIR / "index.md"
QUESTIONS = CHAPTER_DIR / "questions.yml"
SIM_IDS = ("hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes")
# The chapter's main sections, each followed by at least one "Check your understanding" block.
SECTIONS = (
    "## The Key-Value Data Model",
    "## Hash Table Storage",
    "## Time-to-Live and Key Expiration",
    "## Cache Eviction Policies",
    "## Caching Patterns",
    "## Cache Stampede and Hot Key Problems",
    "## Redis and DynamoDB: The Canonical Representatives",
    "## The ATAM Lens: Key-Value Tradeoffs",
)


def _load_hook() -> Any:
    spec = importlib.util.spec_from_file_location("quiz_hook", ROOT / "hooks" / "quiz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


quiz = _load_hook()
QUESTION_DATA, CONSTANTS = quiz.load(QUESTIONS)
CHAPTER = CHAPTER_MD.read_text(encoding="utf-8")
PLACEHOLDERS = re.findall(r'<div data-quiz="([^"]+)"></div>', CHAPTER)


@pytest.fixture(scope="module")
def answers() -> dict[str, dict[str, Any]]:
    return {qid: quiz.evaluate(q, CONSTANTS) for qid, q in QUESTION_DATA.items()}


def fnv1a(data: bytes) -> int:
    """32-bit FNV-1a, written here independently of kvengine.hashing."""
    value = 2166136261
    for byte in data:
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def slot(key: str) -> int:
    """Redis Cluster's hash slot from the standard library's CRC-16/XMODEM (hash tags handled)."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    return binascii.crc_hqx(key.encode(), 0) % 16384


# ---------------------------------------------------------------- the page and the data


def test_every_placeholder_names_a_question_and_every_question_is_asked_once() -> None:
    assert sorted(PLACEHOLDERS) == sorted(QUESTION_DATA), "placeholders vs questions.yml"
    assert len(PLACEHOLDERS) == len(set(PLACEHOLDERS)), "a question is asked twice"


def test_at_least_ten_checks_and_one_after_each_main_section() -> None:
    checks = [q for q in QUESTION_DATA.values() if q["title"] == "Check your understanding"]
    assert len(checks) >= 10
    positions = [CHAPTER.index(heading) for heading in SECTIONS] + [
        CHAPTER.index("## Key Takeaways")
    ]
    for heading, start, end in zip(SECTIONS, positions, positions[1:], strict=False):
        ids = re.findall(r'<div data-quiz="([^"]+)"></div>', CHAPTER[start:end])
        kinds = [QUESTION_DATA[qid]["title"] for qid in ids]
        assert "Check your understanding" in kinds, f"no check after {heading}"


def test_two_or_three_prompts_under_each_sim() -> None:
    for sim_id in SIM_IDS:
        start = CHAPTER.index(f'<iframe id="sim-{sim_id}"')
        rest = CHAPTER[start:]
        nxt = re.search(r"\n#{2,4} |<iframe ", rest[10:])
        block = rest[: nxt.start() + 10] if nxt else rest
        ids = re.findall(r'<div data-quiz="([^"]+)"></div>', block)
        prompts = [qid for qid in ids if QUESTION_DATA[qid]["title"] in ("Predict", "Try this")]
        assert 2 <= len(prompts) <= 3, f"{sim_id}: prompts {prompts}"
        assert all(QUESTION_DATA[qid].get("where") for qid in prompts), "each names a sim state"


def test_the_page_has_no_answers_only_placeholders() -> None:
    assert "data-answer" not in CHAPTER
    assert "quiz__" not in CHAPTER, "the component's HTML is built by the hook, not typed"


@pytest.mark.parametrize("qid", sorted(QUESTION_DATA))
def test_answers_are_expressions_not_literals(qid: str) -> None:
    q = QUESTION_DATA[qid]
    tree = ast.parse(str(q["answer"]), mode="eval")
    if q["kind"] == "number":
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        assert calls, f"{qid}: a numeric answer must be computed by the engine, not typed"


@pytest.mark.parametrize(
    "qid", sorted(qid for qid, q in QUESTION_DATA.items() if q["kind"] == "number")
)
def test_numeric_answer_is_not_typed_into_the_question(
    qid: str, answers: dict[str, dict[str, Any]]
) -> None:
    q = QUESTION_DATA[qid]
    value = answers[qid]["answer"]
    for field in ("question", "hint", "label"):
        text = re.sub(r"\(\d+ to \d+\)", "", str(q.get(field, "")))  # a label's range
        assert not re.search(rf"(?<![\w,.-]){re.escape(value)}(?![\w,.])", text), (
            f"{qid}: the answer {value} is written in its {field}"
        )


# ---------------------------------------------------------------- the engine's answers


def test_all_questions_evaluate(answers: dict[str, dict[str, Any]]) -> None:
    assert set(answers) == set(QUESTION_DATA)
    for qid, result in answers.items():
        if QUESTION_DATA[qid]["kind"] == "number":
            assert re.fullmatch(r"-?\d+", result["answer"]), qid
        else:
            assert result["answer"] in result["options"], qid


def test_hash_answers_match_an_independent_fnv1a(answers: dict[str, dict[str, Any]]) -> None:
    assert answers["sim-hash-cart"]["answer"] == str(fnv1a(b"cart:42") % 8)
    assert answers["hash-bucket-16"]["answer"] == str(fnv1a(b"user:42") % 16)
    assert answers["hash-bucket-16"]["values"]["hash"] == str(fnv1a(b"user:42"))
    bucket = fnv1a(b"user:42") % 8
    first = next(n for n in range(43, 1000) if fnv1a(f"user:{n}".encode()) % 8 == bucket)
    assert answers["sim-hash-collision"]["answer"] == f"user:{first}"
    same = sum(b"user:24") % 8 == sum(b"user:42") % 8
    assert answers["sim-hash-sum"]["answer"] == ("yes" if same else "no")


def test_hash_collision_answer_is_what_the_sim_inserts(answers: dict[str, dict[str, Any]]) -> None:
    from microsims import controller_class

    sim = controller_class("hash-table-lookup")({"key": "user:42", "size": 8}, seed=1)
    sim.cmd_collision()
    assert sim.state()["collision"]["newKey"] == answers["sim-hash-collision"]["answer"]


def test_eviction_answers_are_what_the_sim_shows(answers: dict[str, dict[str, Any]]) -> None:
    from microsims import controller_module

    eviction = controller_module("cache-eviction-simulator")
    DEFAULT_SEQUENCE, Controller = eviction.DEFAULT_SEQUENCE, eviction.Controller

    assert CONSTANTS["DEFAULT_SEQUENCE"] == DEFAULT_SEQUENCE
    for policy, qid in (("lru", "sim-evict-lru"), ("lfu", "sim-evict-lfu")):
        sim = Controller({"policy": policy}, seed=1)
        sim.cmd_step(13)
        assert sorted(answers[qid]["options"]) == sorted(s["key"] for s in sim.state()["slots"])
        sim.cmd_step(1)
        assert sim.state()["log"][-1]["evicted"] == answers[qid]["answer"], qid
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(20)
    assert str(sim.state()["hits"]) == answers["sim-evict-hits"]["answer"]
    small = Controller({"policy": "lru", "capacity": 3, "sequence": "A B C A D"}, seed=1)
    small.cmd_step(5)
    assert small.state()["log"][-1]["evicted"] == answers["evict-small"]["answer"]


def test_slot_answers_match_crc16_from_the_standard_library(
    answers: dict[str, dict[str, Any]],
) -> None:
    assert answers["sim-hotkey-shard"]["values"]["slot"] == str(slot("popular_key"))
    tagged = answers["redis-hash-tag"]
    assert tagged["answer"] == "tagged"
    assert slot("{user:42}:cart") == slot("{user:42}:profile") == int(tagged["values"]["tagged"])
    assert slot("user:42:cart") != slot("user:42:profile")
    assert slot("user:42") != slot("user:43")


def test_ttl_answer(answers: dict[str, dict[str, Any]]) -> None:
    assert answers["ttl-left"]["answer"] == str(3600 - 3000)


def test_the_hooks_runs_are_the_claim_grids_runs() -> None:
    """The tests below replace the hook's scenario helpers by tests/claims.py's cached grids;
    that is only sound if both compute the same figures."""
    for keys, mitigation in ((10, "none"), (10, "lock"), (10, "jitter")):
        mine = quiz.stampede(keys, mitigation, 1)
        grid = claims.stampede_runs(keys, mitigation)[0]
        assert {f: mine[f] for f in claims.STAMPEDE_FIELDS} == grid
    assert (
        quiz.hotkey("none", 1)["overloadedShards"]
        == claims.hotkey_runs("none")[0]["overloadedShards"]
    )


@pytest.mark.parametrize(
    "qid", sorted(qid for qid, q in QUESTION_DATA.items() if q.get("seeds") == "all")
)
def test_answers_said_to_hold_for_every_seed_do(
    qid: str, answers: dict[str, dict[str, Any]]
) -> None:
    def stampede(keys: int, mitigation: str, seed: int, servers: int = 10) -> dict:
        return claims.stampede_runs(keys, mitigation, servers)[seed - 1]

    def hotkey(mitigation: str, seed: int, shards: int = 3) -> dict:
        assert shards == 3
        return claims.hotkey_runs(mitigation)[seed - 1]

    built = answers[qid]["answer"]
    differing = {}
    for seed in claims.SEEDS:
        result = quiz.evaluate(
            QUESTION_DATA[qid], CONSTANTS, seed=seed, stampede=stampede, hotkey=hotkey
        )
        if result["answer"] != built:
            differing[seed] = result["answer"]
    assert not differing, f"{qid}: the page says {built} for every seed; differs: {differing}"


def test_a_wrong_expression_fails_the_build_with_a_clear_message() -> None:
    bad = {**QUESTION_DATA["sim-hash-cart"], "answer": "fnv1a_32(key_bytes('x')) % 0"}
    with pytest.raises(quiz.PluginError, match="answer"):
        quiz.evaluate(bad, CONSTANTS)
    not_an_option = {**QUESTION_DATA["kv-model"], "answer": '"nope"'}
    with pytest.raises(quiz.PluginError, match="not one of"):
        quiz.evaluate(not_an_option, CONSTANTS)
    with pytest.raises(quiz.PluginError, match="no question"):
        quiz.expand('<div data-quiz="missing"></div>', QUESTIONS)


# ---------------------------------------------------------------- the rendered component


def test_render_without_javascript_reads_as_question_and_answer(
    answers: dict[str, dict[str, Any]],
) -> None:
    html_text = quiz.render(
        "sim-hash-cart", QUESTION_DATA["sim-hash-cart"], answers["sim-hash-cart"]
    )
    answer = answers["sim-hash-cart"]["answer"]
    assert f'data-answer="{answer}"' in html_text
    assert '<label for="quiz-sim-hash-cart-input">' in html_text
    assert re.search(
        r"<details class=\"quiz__answer\"><summary>Check your answer</summary>", html_text
    )
    assert f"<strong>Answer: {answer}.</strong>" in html_text
    assert 'role="status"' in html_text and 'aria-live="polite"' in html_text
    assert "hidden>Check</button>" in html_text, "Check is shown by the script only"
    choice = quiz.render("kv-model", QUESTION_DATA["kv-model"], answers["kv-model"])
    assert choice.count('type="radio"') == 4 and "<fieldset" in choice and "<legend" in choice


def test_built_chapter_has_every_question_rendered(tmp_path: Path) -> None:
    """The hook runs in a real build: the placeholders become questions with computed answers."""
    import subprocess
    import sys

    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run(
        [str(mkdocs), "build", "-q", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    built = (tmp_path / "chapters" / "05-key-value-stores" / "index.html").read_text("utf-8")
    found = dict(re.findall(r'data-quiz="([^"]+)" data-kind="[a-z]+" data-answer="([^"]*)"', built))
    assert set(found) == set(QUESTION_DATA)
    assert found["sim-hash-cart"] == str(fnv1a(b"cart:42") % 8)
    assert 'src="../../javascripts/quiz.js" type="module"' in built
    assert not (tmp_path / "chapters" / "05-key-value-stores" / "questions.yml").exists()
