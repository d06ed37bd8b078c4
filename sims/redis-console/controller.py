"""The Redis console's model: one kvengine server and one connection to it, typed into.

The page sends the lines a student types (``run``); each line goes through redis-cli's own
handling (:func:`kvengine.cli.run_line`: quotes and escapes, the repeat prefix, HELP, CLEAR) to
a :class:`kvengine.Client` -- one connection, with its own MULTI queue and WATCHed keys -- on a
:class:`kvengine.Store`, and the reply comes back printed exactly as redis-cli prints it.

The store runs on the real clock (:class:`kvengine.SystemClock`), as redis-server does: a key
given ``EXPIRE session 10`` is gone ten seconds later, whether or not anyone types. Redis also
deletes expired keys in the background (``activeExpireCycle``, ten times a second); here one
such cycle runs before each line when at least 100 ms have passed, which is what a student
can observe (``DBSIZE`` falls once keys have expired).

    >>> console = Controller({}, seed=1)
    >>> console.cmd_run(["SET user:1 alice", "GET user:1", "TYPE user:1", "GET nobody"])
    >>> [entry["output"] for entry in console.state()["last"]]
    ['OK', '"alice"', 'string', '(nil)']
    >>> console.cmd_run(['HSET cart:7 apple 2 "passion fruit" 1', "HGETALL cart:7"])
    >>> print(console.state()["last"][1]["output"])
    1) "apple"
    2) "2"
    3) "passion fruit"
    4) "1"
"""

from __future__ import annotations

from typing import Any

from kvengine import Client, Store, SystemClock
from kvengine.cli import help_groups, run_line
from microsims import SimInputError, spec_beside
from microsims.params import read_params

SPEC = spec_beside(__file__)
SIM_ID: str = SPEC["id"]
CRON_PERIOD_MS = 100  # serverCron runs 10 times a second at Redis's default hz 10
MAX_LINES_PER_CALL = 200  # a Run block or a paste; more is refused with a message
PROMPT = "kvengine> "
PROMPT_TX = "kvengine(TX)> "  # redis-cli adds (TX) to its prompt inside MULTI
CONSOLE_WORDS = ("HELP", "CLEAR")  # answered by the console itself, as redis-cli does


def introduction() -> str:
    """What HELP alone prints: how to use this console (redis-cli prints its own version)."""
    groups = " ".join(f"@{group}" for group in help_groups())
    return "\n".join(
        [
            "This console runs kvengine, a copy of Redis 7.0 written in Python, inside your "
            "browser. Type a Redis command and press Enter; replies are printed as redis-cli "
            "prints them. Try: SET greeting hello, then GET greeting.",
            "",
            "HELP <command>  the command's syntax and what it does, e.g. HELP SET",
            f"HELP @<group>   the commands of a group: {groups}",
            "CLEAR           clear the screen",
            "Up / Down       earlier commands; Tab completes a command name",
            "",
            "The clock is real time: after EXPIRE key 10 the key is gone 10 seconds later. "
            "Bytes that are not printable ASCII are shown as \\xHH, as redis-cli shows them: "
            '"é" is "\\xc3\\xa9". Nothing is saved: reloading the page starts an empty server.',
        ]
    )


class Controller:
    """One console: a store on the system clock and one client connection to it."""

    def __init__(self, params: dict, seed: int) -> None:
        values, self.notices = read_params(SPEC, params)
        self.maxmemory: int = values["maxmemory"]
        self.policy: str = values["policy"]
        self.seed = seed
        self.count = 0  # lines run since the start
        self.last: list[dict[str, str]] = []
        self.cmd_reset()

    def cmd_reset(self) -> None:
        """An empty server and a new connection, with the page's maxmemory and policy."""
        self.store = Store(
            clock=SystemClock(), seed=self.seed, policy=self.policy, maxmemory=self.maxmemory
        )
        self.client = Client(self.store, client_id=1)
        self.last_cron = self.store.now_ms()
        self.last = []

    def cmd_run(self, lines: list[str]) -> None:
        """Run typed lines in order; ``state()["last"]`` then holds one entry per line."""
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise SimInputError("The console takes lines of text.")
        split = [part for line in lines for part in (line.splitlines() or [""])]
        if len(split) > MAX_LINES_PER_CALL:
            raise SimInputError(f"The console runs at most {MAX_LINES_PER_CALL} lines at once.")
        self.last = [self._run_one(line) for line in split]

    def _run_one(self, line: str) -> dict[str, str]:
        now = self.store.now_ms()
        if now - self.last_cron >= CRON_PERIOD_MS:
            self.store.tick()  # one activeExpireCycle, as serverCron would have run
            self.last_cron = now
        prompt = PROMPT_TX if self.client.in_multi else PROMPT
        output = run_line(self.client, line)
        self.count += 1
        text = output.text
        if output.kind == "help" and not text:
            text = introduction()
        return {"prompt": prompt, "input": line, "output": text, "kind": output.kind}

    def state(self) -> dict[str, Any]:
        names = [name.upper() for name in self.client.command_names()]
        return {
            "prompt": PROMPT_TX if self.client.in_multi else PROMPT,
            "inMulti": self.client.in_multi,
            "clock": "system",
            "maxmemory": self.maxmemory,
            "policy": self.policy,
            "count": self.count,
            "last": self.last,
            "commands": sorted({*names, *CONSOLE_WORDS}),
            "notices": self.notices,
        }
