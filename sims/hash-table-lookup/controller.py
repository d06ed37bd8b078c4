"""Controller for the hash-table-lookup MicroSim: key -> hash function -> bucket -> value.

What the student sees, and where each number comes from:

* a **lookup** (the "Hash" button): the key's UTF-8 bytes go through the selected 32-bit hash
  (``kvengine.hashing.hash_trace`` gives every intermediate value), the hash is reduced
  ``mod tableSize`` to a bucket index, and the bucket's chain is walked
  (``HashTable.lookup_trace``). A stored key is a hit; a new key is inserted with a value, at the
  head of its chain, as Redis's dict does. The buckets keep their contents across lookups.
* a **collision** ("Show Collision"): candidate keys next to the last one (``user:43``,
  ``user:44``, ...) are hashed through the engine's table under the current hash and size until
  one lands in the same bucket; that key is inserted, so the chain visibly grows.
* a **resize** ("Table size", 4-16) and a **hash switch**: every stored key is re-bucketed by
  the engine; the live statistics (load factor, longest chain, empty buckets) are the table's own.

Animation is the view's business, but its *content* is the model's: each action produces a list
of ``stages`` (key enters the box 0.3 s, one 0.5 s stage per shown hash step, arrow 0.4 s,
bucket 0.3 s), each with the data to draw and the sentence to narrate. Long keys show their
first ``SHOWN_BYTES`` byte steps and summarise the rest, so the box stays readable.
A stage cursor (``stage``) supports the step-through mode: Step replays the last action one
stage at a time, Back goes one stage back; ``cmd_step`` (what ``window.microsim.step`` calls)
finishes every pending stage. Trade-off: the state carries a
few text lines per stage (formatted here, not in JavaScript) so that pytest can check exactly
what the student reads, at the cost of a slightly larger JSON state.

Usage::

    >>> sim = Controller({"key": "user:42", "size": 8}, seed=1)
    >>> sim.state()["last"]["bucket"]
    2
    >>> sim.cmd_hash(key="user:42")
    >>> sim.state()["narration"]
    'user:42 hashes to 795573122; 795573122 mod 8 = 2; bucket 2 holds alice.'
    >>> sim.cmd_collision()          # finds and inserts a key that also lands in bucket 2
    >>> len(sim.state()["buckets"][2])
    2
"""

from __future__ import annotations

import random
import re
from typing import Any

from kvengine.hashing import HASH_FUNCTIONS, hash_trace, key_bytes
from kvengine.hashtable import HashTable
from microsims import SimInputError, spec_beside
from microsims.bidi import isolate
from microsims.params import check, labels, read_params

SPEC = spec_beside(__file__)  # sim.json: the parameters' ranges, defaults and labels
SIM_ID: str = SPEC["id"]
PARAMS = SPEC["params"]

DEFAULT_KEY: str = PARAMS["key"]["default"]
DEFAULT_SIZE: int = PARAMS["size"]["default"]
MIN_SIZE: int = PARAMS["size"]["min"]
MAX_SIZE: int = PARAMS["size"]["max"]
DEFAULT_HASH: str = PARAMS["hash"]["default"]
MAX_KEY_CHARS: int = PARAMS["key"]["maxLength"]
MAX_KEYS = 40  # the most entries the canvas can draw legibly (16 buckets x a few chain boxes)
MAX_COLLISION_CANDIDATES = 5_000
SHOWN_BYTES = 3  # byte steps shown one by one; the rest are summarised in one stage
KEY_DISPLAY_CHARS = 20
BYTES_SHOWN_IN_ROW = 12

HASH_LABELS: dict[str, str] = labels(PARAMS["hash"])

# The stage timings of the chapter's spec, in seconds at normal speed.
ENTER_SECONDS = 0.3
STEP_SECONDS = 0.5
ARROW_SECONDS = 0.4
BUCKET_SECONDS = 0.3
REBUCKET_SECONDS = 0.8

COLLISION_TOOLTIP = "Collision: two keys map to the same bucket \u2014 chaining stores both."

# The table a student starts with: realistic keys from the chapter's examples. At 8 buckets two
# of them share bucket 0 under FNV-1a; at 16 buckets none collide.
INITIAL_ENTRIES: tuple[tuple[str, str], ...] = (
    ("user:42", "alice"),
    ("session:abc123", "uid=42"),
    ("product:1001", "blue mug"),
    ("cart:42", "3 items"),
    ("config:theme", "dark"),
    ("rate:10.0.0.7", "17 req/min"),
)

USER_NAMES = (
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
)
PRODUCT_NAMES = ("red pen", "desk lamp", "notebook", "green tea", "usb cable", "headphones")


def display_key(key: str, limit: int = KEY_DISPLAY_CHARS) -> str:
    """Shorten a key for the canvas and the narration, with an ellipsis when cut; a key with
    right-to-left letters or direction controls is bidi-isolated (:func:`microsims.bidi.isolate`),
    so it cannot reorder the sentence around it.

    >>> display_key("user:42")
    'user:42'
    >>> display_key("x" * 30)
    'xxxxxxxxxxxxxxxxxxx\u2026'
    """
    return isolate(key if len(key) <= limit else key[: limit - 1] + "\u2026")


def _byte_label(byte: int, char: str = "") -> str:
    """A byte as the student should read it: the character for printable ASCII, else hex.

    >>> _byte_label(117), _byte_label(0xC3, "\u00e9"), _byte_label(0xA9)
    ('"u" = 117', '0xC3 = 195 (starts "\u00e9")', '0xA9 = 169')
    """
    if 0x21 <= byte <= 0x7E:
        return f'"{chr(byte)}" = {byte}'
    if byte == 0x20:
        return f"space = {byte}"
    if byte >= 0xC0 and char and not char.startswith("\\x"):
        return f'0x{byte:02X} = {byte} (starts "{isolate(char)}")'
    return f"0x{byte:02X} = {byte}"


def _validate_size(size: Any) -> int:
    return int(check("size", PARAMS["size"], size))


def _validate_key(key: Any) -> str:
    if not isinstance(key, str):
        raise SimInputError("The key must be text.")
    if key == "":
        raise SimInputError("Type a key first: an empty key has nothing to hash.")
    if len(key) > MAX_KEY_CHARS:
        raise SimInputError(
            f"That key has {len(key):,} characters; this sim hashes keys of up to "
            f"{MAX_KEY_CHARS:,} characters."
        )
    try:
        key_bytes(key)
    except UnicodeEncodeError:
        raise SimInputError(
            "The key holds a broken character (an unpaired surrogate); retype it."
        ) from None
    return key


class Controller:
    """The whole state of the hash-table-lookup sim; the page only draws ``state()``."""

    def __init__(self, params: dict[str, Any], seed: int) -> None:
        values, _notices = read_params(SPEC, params)  # the page shows its own URL notices
        try:
            self._default_key = _validate_key(values["key"])
        except SimInputError:
            self._default_key = DEFAULT_KEY
        self._default_size = values["size"]
        hash_name = values["hash"]
        self._default_hash = hash_name if hash_name in HASH_FUNCTIONS else DEFAULT_HASH
        self._seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 1
        self._action_id = 0
        self.cmd_reset()

    # ---------------------------------------------------------------- commands

    def cmd_reset(self) -> None:
        """Back to the starting table for the current parameters, showing the default key."""
        self._rng = random.Random(self._seed)
        self._hash_name = self._default_hash
        self._table = HashTable(size=self._default_size, hash_name=self._hash_name, resizable=False)
        self._order: list[str] = []  # insertion order, to rebuild the table on a hash switch
        self._values: dict[str, str] = {}
        for key, value in INITIAL_ENTRIES:
            self._insert(key, value)
        self._step_mode = False
        self._collision: dict[str, Any] | None = None
        self._resize: dict[str, Any] | None = None
        self._lookup(self._default_key, kind="lookup")
        self._animate = False  # the first picture is shown at once, not animated
        self._event = "reset"

    def cmd_hash(self, key: Any = None) -> None:
        """Look ``key`` up; insert it with a value when it is not stored yet."""
        key = _validate_key(key)
        self._lookup(key, kind="lookup")
        self._collision = None
        self._event = "hash"

    def cmd_collision(self) -> None:
        """Find a key that lands in the last key's bucket (through the engine) and insert it."""
        base = self._last["key"]
        bucket = self._table.bucket_index(base)
        if len(self._order) >= MAX_KEYS:
            raise SimInputError(self._full_message())
        tried = 0
        found: str | None = None
        budget = 2_000_000  # bytes hashed at most, so a 10,000-character key cannot stall
        for candidate in self._candidates(base):
            tried += 1
            budget -= len(key_bytes(candidate))
            if candidate not in self._values and self._table.bucket_index(candidate) == bucket:
                found = candidate
                break
            if tried >= MAX_COLLISION_CANDIDATES or budget <= 0:
                break
        if found is None:
            raise SimInputError(
                f"No key near {display_key(base)} lands in bucket {bucket} "
                f"after {tried:,} tries; try another key."
            )
        self._lookup(found, kind="collision")
        chain = [entry[0] for entry in self._table.buckets()[bucket]]
        self._collision = {
            "bucket": bucket,
            "keys": chain,
            "newKey": found,
            "otherKey": base,
            "tried": tried,
            "tooltip": COLLISION_TOOLTIP,
        }
        self._narration_done = (
            f"{display_key(found)} also lands in bucket {bucket} "
            f"({self._last['hash']} mod {self._table_size()} = {bucket}), found after {tried} "
            f"tr{'ies' if tried != 1 else 'y'}. {COLLISION_TOOLTIP}"
        )
        self._last["narration"] = self._narration_done
        self._event = "collision"

    def cmd_resize(self, size: Any = None) -> None:
        """Change the number of buckets; the engine re-buckets every stored key."""
        size = _validate_size(size)
        old_size = self._table_size()
        if size == old_size:
            return
        before = {key: self._table.bucket_index(key) for key in self._order}
        stats_before = self._stats()
        self._table.resize(size)
        self._rebucketed(before, stats_before, f"Table resized from {old_size} to {size} buckets")
        self._event = "resize"

    def cmd_hash_function(self, name: Any = None) -> None:
        """Switch the hash (FNV-1a, djb2, or the weak sum of bytes); keys are re-bucketed."""
        if name not in HASH_FUNCTIONS:
            options = ", ".join(HASH_FUNCTIONS)
            raise SimInputError(f"Unknown hash function {name!r}; choose one of {options}.")
        if name == self._hash_name:
            return
        before = {key: self._table.bucket_index(key) for key in self._order}
        stats_before = self._stats()
        self._hash_name = name
        table = HashTable(size=self._table_size(), hash_name=name, resizable=False)
        for key in self._order:
            table.set(key, self._values[key])
        self._table = table
        self._rebucketed(before, stats_before, f"Switched to {HASH_LABELS.get(name, name)}")
        self._event = "hash_function"

    def cmd_next_stage(self) -> None:
        """Step: pause on the next stage of the last action.

        After an action has played, the first Step replays it from its first stage; each further
        Step shows one more stage, until the last.
        """
        if not self._step_mode:
            stage = 1
        elif self._stage >= len(self._stages):
            raise SimInputError(
                "That was the last stage. Type a key and press Hash to trace "
                "another lookup, or press Back."
            )
        else:
            stage = self._stage + 1
        self._step_mode = True
        self._stage = stage
        self._animate = True
        self._event = "next_stage"

    def cmd_prev_stage(self) -> None:
        """Back: return to the previous stage of the last action (pauses there)."""
        if self._step_mode and self._stage <= 0:
            raise SimInputError("This is the first stage; press Step to go forward.")
        self._stage = (self._stage if self._step_mode else len(self._stages)) - 1
        self._step_mode = True
        self._animate = False
        self._event = "prev_stage"

    def cmd_step(self, n: Any = 1) -> None:
        """Finish every pending animation stage (the sim has no time of its own)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise SimInputError("step needs a whole number of steps, 1 or more.")
        self._stage = len(self._stages)
        self._step_mode = False
        self._animate = False
        self._event = "step"

    # ------------------------------------------------------------------- state

    def state(self) -> dict[str, Any]:
        """The JSON-able picture of the sim (docs/contracts.md shape plus what the view draws)."""
        size = self._table_size()
        complete = self._stage >= len(self._stages)
        if complete:
            narration = self._narration_done
        elif self._stage == 0:
            narration = (
                f"Step-through: press Step to see each stage of {self._stages[0]['title'].lower()}."
            )
        else:
            narration = self._stages[self._stage - 1]["narration"]
        last = {k: v for k, v in self._last.items() if k != "narration"}
        return {
            "simId": SIM_ID,
            "tableSize": size,
            "hashName": self._hash_name,
            "hashLabel": HASH_LABELS.get(self._hash_name, self._hash_name),
            "hashOptions": [{"name": n, "label": HASH_LABELS.get(n, n)} for n in HASH_FUNCTIONS],
            "buckets": [
                [{"key": k, "value": v} for k, v in chain] for chain in self._table.buckets()
            ],
            "last": last,
            "trace": self._trace,
            "stages": self._stages,
            "stage": self._stage,
            "stepMode": self._step_mode,
            "action": self._action_id,
            "event": self._event,
            "animate": self._animate,
            "animating": not complete,
            "collision": self._collision,
            "resize": self._resize,
            "stats": self._stats(),
            "maxKeys": MAX_KEYS,
            "narration": narration,
            "description": self._description(),
        }

    # ----------------------------------------------------------------- helpers

    def _table_size(self) -> int:
        return int(self._table.stats()["size"])

    def _stats(self) -> dict[str, Any]:
        raw = self._table.stats()
        return {
            "size": raw["size"],
            "used": raw["used"],
            "loadFactor": round(float(raw["load_factor"]), 3),
            "longestChain": raw["longest_chain"],
            "emptyBuckets": raw["empty_buckets"],
        }

    def _full_message(self) -> str:
        return (
            f"The table already holds {MAX_KEYS} keys, the most this sim can draw. "
            "Look up a stored key, or press Reset."
        )

    def _insert(self, key: str, value: str) -> None:
        self._table.set(key, value)
        if key not in self._values:
            self._order.append(key)
        self._values[key] = value

    def _new_value(self, key: str) -> str:
        """A plausible value for a new key, chosen by the seeded generator."""
        prefix = key.split(":", 1)[0].lower() if ":" in key else ""
        if prefix == "user":
            return self._rng.choice(USER_NAMES)
        if prefix == "session":
            return f"uid={self._rng.randint(1, 999)}"
        if prefix == "product":
            return self._rng.choice(PRODUCT_NAMES)
        if prefix == "cart":
            return f"{self._rng.randint(1, 9)} items"
        return f"v{self._rng.randint(100, 999)}"

    def _candidates(self, base: str):
        """Keys next to ``base``: user:42 -> user:43, user:44, ...; other keys get :1, :2, ..."""
        match = re.fullmatch(r"(.*?)(\d+)", base, flags=re.DOTALL)
        if match and len(match.group(2)) <= 12:
            prefix, number = match.group(1), int(match.group(2))
            width = len(match.group(2)) if match.group(2).startswith("0") else 1
            for i in range(1, MAX_COLLISION_CANDIDATES + 1):
                yield f"{prefix}{number + i:0{width}d}"
        else:
            for i in range(1, MAX_COLLISION_CANDIDATES + 1):
                yield f"{base}:{i}"

    def _lookup(self, key: str, kind: str) -> None:
        """Hash ``key``, walk its chain, insert when missing; build the stages that show it."""
        size = self._table_size()
        trace = self._table.lookup_trace(key)
        found = bool(trace["found"])
        if not found and len(self._order) >= MAX_KEYS:
            raise SimInputError(self._full_message())
        inserted = False
        value = trace.get("value")
        stats_before = self._stats()  # shown until the animation reaches the bucket
        if not found:
            value = self._new_value(key)
            self._insert(key, value)
            inserted = True
        bucket = int(trace["bucket"])
        hash_value = int(trace["hash"])
        chain_after = [entry[0] for entry in self._table.buckets()[bucket]]
        walked = list(trace["chain"])
        short = display_key(key)
        if found:
            extra = f" (key {len(walked)} of its chain)" if len(walked) > 1 else ""
            outcome = f"bucket {bucket} holds {value}{extra}."
        elif not walked:
            outcome = f"bucket {bucket} was empty: stored there with value {value}."
        else:
            outcome = (
                f"not in bucket {bucket}: stored at the head of its chain with value "
                f"{value}; {len(chain_after)} keys now share bucket {bucket}."
            )
        done = f"{short} hashes to {hash_value}; {hash_value} mod {size} = {bucket}; {outcome}"
        self._last = {
            "key": key,
            "keyDisplay": short,
            "keyChars": len(key),
            "keyBytes": len(key_bytes(key)),
            "hash": hash_value,
            "bucket": bucket,
            "found": found,
            "inserted": inserted,
            "value": value,
            "chain": walked,
            "chainAfter": chain_after,
            "statsBefore": stats_before if inserted else None,
            "kind": kind,
            "narration": done,
        }
        self._trace = self._build_trace(key, hash_value, size, bucket)
        self._stages = self._build_stages(
            key, hash_value, size, bucket, found, value, walked, chain_after
        )
        self._resize = None
        self._narration_done = done
        self._new_action()

    def _new_action(self) -> None:
        """A new lookup, collision or re-bucketing: it plays in full (Step / Back pause it)."""
        self._action_id += 1
        self._step_mode = False
        self._stage = len(self._stages)
        self._animate = True

    def _build_trace(self, key: str, hash_value: int, size: int, bucket: int) -> dict[str, Any]:
        """The text the hash-function box shows: bytes, first steps, summary, final formula."""
        raw = hash_trace(self._hash_name, key)
        if int(raw["hash"]) != hash_value:  # the table and the trace must agree
            raise RuntimeError("hash_trace and HashTable disagree on the hash value")
        data = key_bytes(key)
        row = " ".join(f"{b:02X}" for b in data[:BYTES_SHOWN_IN_ROW])
        if len(data) > BYTES_SHOWN_IN_ROW:
            row += f" \u2026 ({len(data):,} bytes)"
        start, start_label = self._start_value(raw)
        steps = []
        all_steps = raw["steps"]
        shown = all_steps if len(all_steps) <= SHOWN_BYTES + 1 else all_steps[:SHOWN_BYTES]
        h = start
        for step in shown:
            lines, h = self._step_lines(step, h)
            steps.append(
                {
                    "kind": "byte",
                    "index": int(step["index"]),
                    "title": f"byte {int(step['index']) + 1} of {len(data):,}: "
                    f"{_byte_label(int(step['byte']), str(step.get('char', '')))}",
                    "lines": lines,
                    "short": f"{_byte_label(int(step['byte']))} \u2192 {h}",
                    "value": h,
                }
            )
        rest = len(all_steps) - len(shown)
        if rest > 0:
            first, last = len(shown) + 1, len(all_steps)
            steps.append(
                {
                    "kind": "summary",
                    "index": len(shown),
                    "title": f"bytes {first} to {last:,}: the same {self._op_words()} each",
                    "lines": [f"h = {hash_value}"],
                    "short": f"bytes {first}\u2013{last:,} \u2192 {hash_value}",
                    "value": hash_value,
                }
            )
        formula = f'hash("{display_key(key)}") mod {size} = {bucket}'
        return {
            "hashName": self._hash_name,
            "hashLabel": HASH_LABELS.get(self._hash_name, self._hash_name),
            "bytesHex": row,
            "byteCount": len(data),
            "charCount": len(key),
            "start": start,
            "startLabel": start_label,
            "steps": steps,
            "hash": hash_value,
            "size": size,
            "bucket": bucket,
            "modLine": f"{hash_value} mod {size} = {bucket}",
            "formula": formula,
        }

    def _start_value(self, raw: dict[str, Any]) -> tuple[int, str]:
        if self._hash_name == "fnv1a-32":
            basis = int(raw.get("offset_basis", 2166136261))
            return basis, f"h = {basis} (offset basis)"
        if self._hash_name == "djb2-32":
            start = int(raw.get("start", 5381))
            return start, f"h = {start} (djb2 start)"
        return 0, "h = 0"

    def _op_words(self) -> str:
        return {
            "fnv1a-32": "xor and multiply",
            "djb2-32": "multiply by 33 and add",
        }.get(self._hash_name, "add")

    def _step_lines(self, step: dict[str, Any], h: int) -> tuple[list[str], int]:
        """One byte's arithmetic as short lines, e.g. ["xor 117 -> ...", "x 16777619 -> ..."]."""
        byte = int(step["byte"])
        if self._hash_name == "fnv1a-32":
            xored, multiplied = int(step["after_xor"]), int(step["after_multiply"])
            return [f"xor {byte} = {xored}", f"\u00d7 16777619 = {multiplied}"], multiplied
        if self._hash_name == "djb2-32":
            multiplied, added = int(step["after_multiply"]), int(step["after_add"])
            return [f"\u00d7 33 = {multiplied}", f"+ {byte} = {added}"], added
        added = int(step["after_add"])
        return [f"+ {byte} = {added}"], added

    def _build_stages(
        self,
        key: str,
        hash_value: int,
        size: int,
        bucket: int,
        found: bool,
        value: Any,
        walked: list[str],
        chain_after: list[str],
    ) -> list[dict]:
        short = display_key(key)
        label = HASH_LABELS.get(self._hash_name, self._hash_name)
        n_bytes = self._trace["byteCount"]
        stages: list[dict[str, Any]] = [
            {
                "kind": "enter",
                "title": f"The lookup of {short}",
                "duration": ENTER_SECONDS,
                "narration": f"Key {short} ({n_bytes:,} UTF-8 byte{'s' if n_bytes != 1 else ''}) "
                f"enters the {label} hash function (arithmetic mod 2\u00b3\u00b2); "
                f"{self._trace['startLabel']}.",
            }
        ]
        for i, step in enumerate(self._trace["steps"]):
            if step["kind"] == "byte":
                text = f"{step['title'].capitalize()}: " + "; ".join(step["lines"]) + "."
            else:
                text = f"{step['title'].capitalize()}; the hash is {hash_value}."
            stages.append(
                {
                    "kind": "step",
                    "step": i,
                    "title": step["title"],
                    "duration": STEP_SECONDS,
                    "narration": text,
                }
            )
        stages.append(
            {
                "kind": "mod",
                "title": self._trace["modLine"],
                "duration": STEP_SECONDS,
                "narration": f"{hash_value} mod {size} = {bucket}.",
            }
        )
        stages.append(
            {
                "kind": "arrow",
                "title": f"to bucket {bucket}",
                "bucket": bucket,
                "duration": ARROW_SECONDS,
                "narration": f"The key goes to bucket {bucket}.",
            }
        )
        if found:
            walk = (
                f" after walking past {len(walked) - 1} other key{'s' if len(walked) != 2 else ''}"
                if len(walked) > 1
                else ""
            )
            text = f"Bucket {bucket} holds {value}{walk}: a hit."
        else:
            text = (
                f"Bucket {bucket} does not have {short}: it is stored at the head of the "
                f"chain with value {value}"
            )
            text += f"; the chain now has {len(chain_after)} keys." if len(chain_after) > 1 else "."
        stages.append(
            {
                "kind": "bucket",
                "title": "the bucket",
                "bucket": bucket,
                "found": found,
                "duration": BUCKET_SECONDS,
                "narration": text,
            }
        )
        return stages

    def _rebucketed(self, before: dict[str, int], stats_before: dict[str, Any], what: str) -> None:
        """After a resize or hash switch: moves, stats, refreshed last-key trace and stages."""
        size = self._table_size()
        moves = [
            {"key": key, "from": before[key], "to": self._table.bucket_index(key)}
            for key in self._order
        ]
        moved = sum(1 for m in moves if m["from"] != m["to"])
        stats = self._stats()
        key = self._last["key"]
        hash_value = HASH_FUNCTIONS[self._hash_name](key_bytes(key))
        bucket = self._table.bucket_index(key)
        self._last.update(
            {
                "hash": hash_value,
                "bucket": bucket,
                "chainAfter": [e[0] for e in self._table.buckets()[bucket]],
            }
        )
        self._trace = self._build_trace(key, hash_value, size, bucket)
        n = len(moves)
        # short enough for the two visible narration lines at 660 px (the hash and the mod are
        # in the box): "Table resized from 8 to 16 buckets: 5 of 6 keys moved. Load factor ..."
        done = (
            f"{what}: {moved} of {n} keys moved. Load factor "
            f"{stats_before['loadFactor']:g} \u2192 {stats['loadFactor']:g}, longest chain "
            f"{stats_before['longestChain']} \u2192 {stats['longestChain']}, empty buckets "
            f"{stats_before['emptyBuckets']} \u2192 {stats['emptyBuckets']}. "
            f"{display_key(key)} is now in bucket {bucket}."
        )
        self._stages = [
            {
                "kind": "rebucket",
                "title": what.lower(),
                "duration": REBUCKET_SECONDS,
                "narration": done,
            }
        ]
        self._resize = {"what": what, "moves": moves, "moved": moved, "statsBefore": stats_before}
        self._collision = None
        self._narration_done = done
        self._last["narration"] = done
        self._new_action()

    def _description(self) -> str:
        """A text alternative of the canvas (the page's describe())."""
        stats = self._stats()
        last = self._last
        parts = [
            f"Hash table with {stats['size']} buckets holding {stats['used']} keys, "
            f"hash {HASH_LABELS.get(self._hash_name, self._hash_name)}, load factor "
            f"{stats['loadFactor']:g}, longest chain {stats['longestChain']}, "
            f"{stats['emptyBuckets']} empty buckets.",
            f"Hash box: {self._trace['formula']} (hash {last['hash']}).",
        ]
        chains = []
        for index, chain in enumerate(self._table.buckets()):
            keys = ", ".join(display_key(k) for k, _ in chain) or "empty"
            chains.append(f"bucket {index}: {keys}")
        parts.append("; ".join(chains) + ".")
        if self._collision:
            parts.append(self._collision["tooltip"])
        return " ".join(parts)
