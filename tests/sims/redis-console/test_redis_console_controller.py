"""The Redis console's controller (sims/redis-console/controller.py) and kvengine.cli, in CPython.

What a student types goes in as lines; what comes back is redis-cli's text for each line. The
tests cover the console's own behaviour: HELP, CLEAR, the prompt inside MULTI, the real-time
clock and active expiry, parameters, limits and bad input.

The differential test (marker ``redis``, at the end) types the same lines into
``redis-cli --no-raw`` (its terminal output: quoted bulk strings, ``(integer)``, ``(nil)``,
numbered and nested arrays), talking to a fresh redis-server 7.0, and into the console; the two
transcripts must be identical byte for byte. The lines cover strings, hashes, lists, sets,
sorted sets, errors, nil, empty arrays, nested arrays (HSCAN, EXEC), escapes, UTF-8 and the
lines redis-cli itself refuses. Orders that depend on Redis's random hash seed (KEYS, SCAN over
many keys, a large set) are avoided, and so are the words redis-cli answers without the server
(HELP, CLEAR, QUIT).
"""

from __future__ import annotations

import difflib
import doctest
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import kvengine
import kvengine.cli
import microsims
from kvengine.commanddocs import DOCS
from microsims import SimInputError
from microsims.bridge import handle
from tests.engine.redis_server import RedisServer, require_redis_server
from tests.external_tools import missing_tool

SIM = "redis-console"


def run(console, *lines: str) -> list[dict]:
    console.cmd_run(list(lines))
    return console.state()["last"]


def outputs(console, *lines: str) -> list[str]:
    return [entry["output"] for entry in run(console, *lines)]


@pytest.fixture
def console():
    return microsims.create(SIM, {}, seed=1)


def test_cli_docstring_examples() -> None:
    result = doctest.testmod(kvengine.cli, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 5


def test_replies_look_like_redis_cli(console) -> None:
    assert outputs(
        console,
        "SET user:1 alice",
        "GET user:1",
        "EXISTS user:1",
        "GET nobody",
        "LRANGE nothing 0 -1",
        "TYPE user:1",
        "ZADD z 2.5 a",
        "ZSCORE z a",
    ) == [
        "OK",
        '"alice"',
        "(integer) 1",
        "(nil)",
        "(empty array)",
        "string",
        "(integer) 1",
        '"2.5"',
    ]


def test_each_entry_says_what_was_typed_and_its_kind(console) -> None:
    (ok, err, bad) = run(console, "SET k v", "INCR k", 'GET "open')
    assert ok == {"prompt": "kvengine> ", "input": "SET k v", "output": "OK", "kind": "reply"}
    assert err["kind"] == "error"
    assert err["output"] == "(error) ERR value is not an integer or out of range"
    assert bad["output"] == "Invalid argument(s)" and bad["kind"] == "error"


def test_nested_arrays_are_indented_under_their_number(console) -> None:
    run(console, "RPUSH l " + " ".join(f"e{i}" for i in range(1, 11)))
    text = outputs(console, "MULTI", "LRANGE l 0 1", "PING", "EXEC")[-1]
    assert text == '1) 1) "e1"\n   2) "e2"\n2) PONG'
    lines = outputs(console, "LRANGE l 0 -1")[0].splitlines()
    assert lines[0] == ' 1) "e1"' and lines[9] == '10) "e10"'


def test_the_prompt_shows_a_transaction(console) -> None:
    entries = run(console, "MULTI", "SET a 1", "EXEC", "GET a")
    assert [e["prompt"] for e in entries] == [
        "kvengine> ",
        "kvengine(TX)> ",
        "kvengine(TX)> ",
        "kvengine> ",
    ]
    assert [e["output"] for e in entries] == ["OK", "QUEUED", "1) OK", '"1"']
    run(console, "MULTI")
    assert console.state()["inMulti"] and console.state()["prompt"] == "kvengine(TX)> "


def test_help_alone_introduces_the_console(console) -> None:
    (entry,) = run(console, "HELP")
    assert entry["kind"] == "help"
    text = entry["output"]
    for needle in ("HELP <command>", "CLEAR", "Tab", "real time", "@sorted-set", "\\xc3\\xa9"):
        assert needle in text, needle


def test_help_command_gives_syntax_and_meaning(console) -> None:
    summary, since, group, syntax = DOCS["zadd"]
    (entry,) = run(console, "help zadd")
    assert entry["kind"] == "help"
    assert entry["output"].splitlines() == [
        f"ZADD {syntax}",
        f"summary: {summary}",
        f"since: {since}",
        "group: sorted-set",
    ]
    group = outputs(console, "HELP @hash")[0]
    assert "HSET key field value [field value ...]" in group and "LPUSH" not in group
    assert (
        outputs(console, "HELP NOSUCH")[0] == "No help for 'NOSUCH'. Type HELP for what there is."
    )


def test_clear_is_answered_by_the_console(console) -> None:
    (entry,) = run(console, "clear")
    assert entry["kind"] == "clear" and entry["output"] == ""
    assert run(console, "CLEAR now")[0]["kind"] == "error"  # CLEAR with words goes to Redis


def test_completion_offers_every_engine_command_and_the_console_words(console) -> None:
    names = console.state()["commands"]
    engine = [n.upper() for n in console.client.command_names()]
    assert set(engine) <= set(names) and {"HELP", "CLEAR"} <= set(names)
    assert {"ZADD", "HSET", "LPUSH", "MULTI", "EXPIRE"} <= set(names)
    assert names == sorted(names)


def test_the_store_runs_on_the_system_clock(console) -> None:
    assert isinstance(console.store.clock, kvengine.SystemClock)
    assert console.state()["clock"] == "system"


def test_active_expiry_runs_between_lines() -> None:
    console = microsims.create(SIM, {}, seed=1)
    clock = kvengine.VirtualClock(1_000_000)
    console.store.clock = clock
    console.last_cron = clock.now_ms()
    run(console, "SET gone v PX 50", "SET kept v")
    clock.advance(200)
    # Redis's activeExpireCycle deletes the key without anyone reading it: DBSIZE is 1.
    assert outputs(console, "DBSIZE") == ["(integer) 1"]


def test_ttl_counts_down_with_the_clock() -> None:
    console = microsims.create(SIM, {}, seed=1)
    clock = kvengine.VirtualClock(5_000_000)
    console.store.clock = clock
    run(console, "SET session:abc123 data EX 3600")
    clock.advance(10_000)
    assert outputs(console, "TTL session:abc123") == ["(integer) 3590"]


def test_parameters_configure_the_server_and_bad_ones_fall_back() -> None:
    console = microsims.create(SIM, {"maxmemory": "20000", "policy": "allkeys-lru"}, seed=1)
    assert console.store.maxmemory == 20_000 and console.store.policy == "allkeys-lru"
    assert outputs(console, "CONFIG GET maxmemory-policy")[0].endswith('"allkeys-lru"')
    bad = microsims.create(SIM, {"maxmemory": "-5", "policy": "lru"}, seed=1)
    assert bad.store.maxmemory == 0 and bad.store.policy == "noeviction"
    assert len(bad.state()["notices"]) == 2


def test_reset_empties_the_server(console) -> None:
    run(console, "SET a 1", "MULTI")
    console.cmd_reset()
    assert outputs(console, "GET a", "DBSIZE") == ["(nil)", "(integer) 0"]
    assert not console.state()["inMulti"]


def test_bad_input_is_text(console) -> None:
    big = "x" * 100_000
    (set_big, strlen) = run(console, f"SET big {big}", "STRLEN big")
    assert set_big["input"] == f"SET big {big}" and set_big["output"] == "OK"
    assert strlen["output"] == "(integer) 100000"
    html = "<img src=x onerror=alert(1)>"
    assert outputs(console, f"SET h '{html}'", "GET h")[1] == f'"{html}"'
    assert outputs(console, "SET e 😀", "GET e")[1] == '"\\xf0\\x9f\\x98\\x80"'
    lone = outputs(console, "SET s \ud83d", "GET s")  # half an emoji, as a browser may send
    assert lone[0] == "OK" and lone[1].startswith('"')


def test_limits_on_repeats_and_lines(console) -> None:
    assert outputs(console, "1001 INCR n", "GET n") == [
        "This console repeats a command at most 1000 times.",
        "(nil)",
    ]
    before = console.state()
    with pytest.raises(SimInputError):
        console.cmd_run(["PING"] * 201)
    assert console.state() == before
    with pytest.raises(SimInputError):
        console.cmd_run("PING")  # type: ignore[arg-type]


def test_lines_with_newlines_are_separate_lines(console) -> None:
    entries = run(console, "SET a 1\nGET a")
    assert [e["output"] for e in entries] == ["OK", '"1"']


def test_quit_keeps_the_console_open(console) -> None:
    assert run(console, "QUIT")[0]["kind"] == "local"
    assert outputs(console, "PING") == ["PONG"]


def test_through_the_bridge_as_the_page_calls_it() -> None:
    created = json.loads(handle(json.dumps({"op": "create", "sim": SIM, "params": {}, "seed": 1})))
    assert created["ok"] and created["state"]["last"] == []
    reply = json.loads(
        handle(
            json.dumps(
                {
                    "op": "call",
                    "handle": created["handle"],
                    "method": "run",
                    "args": {"lines": ["SET k 1", "INCR k"]},
                }
            )
        )
    )
    assert [e["output"] for e in reply["state"]["last"]] == ["OK", "(integer) 2"]
    refused = json.loads(
        handle(
            json.dumps(
                {
                    "op": "call",
                    "handle": created["handle"],
                    "method": "run",
                    "args": {"lines": [1, 2]},
                }
            )
        )
    )
    assert refused["error"]["kind"] == "input"
    handle(json.dumps({"op": "dispose", "handle": created["handle"]}))


def test_sim_json_policies_are_the_engines() -> None:
    spec = microsims.spec(SIM)
    values = [o["value"] for o in spec["params"]["policy"]["options"]]
    assert sorted(values) == sorted(kvengine.POLICIES)
    assert spec["params"]["policy"]["default"] == "noeviction"  # Redis's default


# ---------------------------------------------------------------- the chapter's Run blocks

CHAPTER = Path(__file__).resolve().parents[3] / "docs/chapters/05-key-value-stores/index.md"
RUN_BLOCK = re.compile(
    r'<div class="redis-run" markdown>\s*```text\n(.*?)```\s*</div>\s*'
    r"\*\*What to look for:?\*\*(.*?)(?:\n\s*\n|\Z)",
    re.S,
)
REPLY_SPAN = re.compile(r'`(\(integer\) -?\d+|"[^"`]*")`')


def chapter_blocks() -> list[tuple[list[str], str]]:
    text = CHAPTER.read_text(encoding="utf-8")
    blocks = [(body.strip().splitlines(), look) for body, look in RUN_BLOCK.findall(text)]
    assert text.count('class="redis-run"') == len(blocks), "every block has 'What to look for'"
    return blocks


def test_the_chapter_has_a_run_block_per_use_case() -> None:
    blocks = chapter_blocks()
    firsts = [lines[0].split()[0] for lines, _ in blocks]
    # a session with a TTL, cache-aside, a leaderboard, a rate limiter, a cart, a queue
    assert firsts == ["SET", "GET", "ZADD", "INCR", "HSET", "RPUSH"]


@pytest.mark.parametrize("index", range(6))
def test_each_run_block_runs_and_shows_what_the_chapter_says(index: int) -> None:
    lines, look_for = chapter_blocks()[index]
    console = microsims.create(SIM, {}, seed=1)
    entries = run(console, *lines)
    assert all(entry["kind"] == "reply" for entry in entries), entries
    printed = "\n".join(entry["output"] for entry in entries).splitlines()
    quoted = REPLY_SPAN.findall(look_for)
    assert quoted, "the sentence names replies to look for"
    for reply in quoted:
        assert reply in printed, f"the chapter promises {reply}; the console printed {printed}"


# ---------------------------------------------------------------- against redis-cli

LINES = [
    # strings, status and bulk replies, integers, nil
    "PING",
    "PING hello",
    "SET user:1 alice",
    "GET user:1",
    "get USER:1",
    "TYPE user:1",
    "TYPE nothing",
    "SET counter 10",
    "INCR counter",
    "INCRBY counter -15",
    "INCRBYFLOAT counter 0.25",
    "APPEND user:1 ' smith'",
    "GETRANGE user:1 0 4",
    "STRLEN user:1",
    "SET session:abc123 '{\"user\": 1}' EX 3600",
    "GET session:abc123",
    "TTL session:abc123",
    "EXISTS session:abc123 nothing",
    "SET user:1 bob GET",
    "MSET a 1 b 2",
    "MGET a nothing b",
    "DEL a b nothing",
    "GET a",
    # quotes, escapes and bytes
    'SET q "say \\"hi\\"\\n\\ttab\\\\"',
    "GET q",
    "SET sq 'it\\'s here'",
    "GET sq",
    'SET bytes "\\x00\\x01\\xff\\x7f end"',
    "GET bytes",
    'SET uni "héllo wörld 😀 ключ 字"',
    "GET uni",
    "SET plain héllo",
    "GET plain",
    "STRLEN uni",
    "SET html '<img src=x onerror=alert(1)>'",
    "GET html",
    'GET "unbalanced',
    "GET 'unbalanced",
    'SET k "a"b',
    "   ",
    # errors
    "NOSUCHCOMMAND",
    "nosuch arg1 'arg two'",
    "GET",
    "SET k v XX NX",
    "INCR user:1",
    "LPUSH user:1 x",
    "EXPIRE user:1 abc",
    # hashes
    "HSET cart:42 apple 2 pear 1",
    "HSET cart:42 'passion fruit' 3",
    "HGET cart:42 apple",
    "HGET cart:42 kiwi",
    "HMGET cart:42 apple kiwi pear",
    "HINCRBY cart:42 apple 5",
    "HINCRBYFLOAT cart:42 pear 0.5",
    "HGETALL cart:42",
    "HKEYS cart:42",
    "HLEN cart:42",
    "HDEL cart:42 pear",
    "HEXISTS cart:42 pear",
    "HSCAN cart:42 0",
    "HGETALL nothing",
    # lists (queues): more than 9 elements widen the numbers
    "RPUSH queue:jobs j1 j2 j3 j4 j5 j6 j7 j8 j9 j10 j11 j12",
    "LRANGE queue:jobs 0 -1",
    "LPOP queue:jobs",
    "RPOP queue:jobs 2",
    "LLEN queue:jobs",
    "LINDEX queue:jobs 0",
    "LRANGE nothing 0 -1",
    "LPOP nothing",
    "LMOVE queue:jobs queue:done LEFT RIGHT",
    "LRANGE queue:done 0 -1",
    # sets (small: listpack/intset keep insertion order)
    "SADD tags redis cache nosql",
    "SADD tags redis",
    "SISMEMBER tags cache",
    "SMISMEMBER tags cache sql",
    "SCARD tags",
    "SADD nums 3 1 2",
    "SMEMBERS nums",
    "SINTER tags nothing",
    # sorted sets (a leaderboard)
    "ZADD leaderboard 100 alice 85 bob 92 carol",
    "ZINCRBY leaderboard 10 bob",
    "ZRANGE leaderboard 0 -1 WITHSCORES",
    "ZREVRANGE leaderboard 0 1",
    "ZRANK leaderboard bob",
    "ZSCORE leaderboard carol",
    "ZSCORE leaderboard nobody",
    "ZMSCORE leaderboard alice nobody",
    "ZADD leaderboard 1.5 dave",
    "ZADD leaderboard INCR 0.1 dave",
    "ZRANGE leaderboard -inf +inf BYSCORE LIMIT 0 2",
    "ZADD leaderboard nan x",
    # a fixed-window rate limiter
    "INCR rate:ip:1",
    "EXPIRE rate:ip:1 60",
    "INCR rate:ip:1",
    "TTL rate:ip:1",
    # transactions: nested arrays, errors inside EXEC, EXECABORT
    "MULTI",
    "SET tx 1",
    "INCR tx",
    "LPUSH tx x",
    "LRANGE queue:jobs 0 -1",
    "HGETALL cart:42",
    "GET nothing",
    "LRANGE nothing 0 -1",
    "SET a 1",
    "SET b 2",
    "SET c 3",
    "EXEC",
    "EXEC",
    "MULTI",
    "NOSUCHCOMMAND",
    "SET a 1",
    "EXEC",
    "DISCARD",
    # the repeat prefix of redis-cli
    "3 INCR repeated",
    "0 INCR repeated",
    "-2 INCR repeated",
    "'' INCR repeated",
    "5",
    "DBSIZE",
]


def redis_cli_transcript(port: int, lines: list[str]) -> bytes:
    cli = shutil.which("redis-cli")
    if cli is None:
        missing_tool("redis-cli not found; run `make system-deps`")
    script = "".join(line + "\n" for line in lines).encode("utf-8")
    result = subprocess.run(
        [cli, "-p", str(port), "--no-raw"], input=script, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def console_transcript(lines: list[str]) -> bytes:
    console = microsims.create("redis-console", {}, seed=1)
    out = []
    for line in lines:
        console.cmd_run([line])
        (entry,) = console.state()["last"]
        if entry["output"] or entry["kind"] != "local":  # an empty line prints nothing
            out.append(entry["output"] + "\n")
    return "".join(out).encode("utf-8", "surrogateescape")


@pytest.mark.redis
def test_console_prints_what_redis_cli_prints() -> None:
    with RedisServer(require_redis_server()) as server:
        expected = redis_cli_transcript(server.port, LINES)
    got = console_transcript(LINES)
    if got != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            got.decode("utf-8", "replace").splitlines(),
            "redis-cli",
            "console",
            lineterm="",
        )
        pytest.fail("the console differs from redis-cli:\n" + "\n".join(diff))
    assert expected.count(b"\n") > len(LINES)  # every line printed something
