"""Every command the engine registers has a scripted differential case against redis-server.

The command names come from the engine's own table (``kvengine.commands.registry.COMMANDS``,
subcommands included), so a new command fails this test until a case sends it, or until it
is put in ``NOT_COMPARED`` with the reason it cannot be compared reply for reply.
"""

from __future__ import annotations

from tests.engine import (
    test_differential_hash,
    test_differential_list,
    test_differential_redis,
    test_differential_set,
    test_differential_zset,
)
from tests.engine.differential import commands_in, registry_commands

MODULES = (
    test_differential_redis,
    test_differential_hash,
    test_differential_list,
    test_differential_set,
    test_differential_zset,
)

# Registered commands no scripted case compares reply for reply, and why.
NOT_COMPARED = {
    # They report on Redis's allocator (jemalloc) and process, which kvengine does not have:
    # the engine answers them with an error that says so (MEMORY HELP lists them, as Redis's).
    "MEMORY DOCTOR": "no allocator: kvengine refuses it",
    "MEMORY MALLOC-STATS": "no allocator: kvengine refuses it",
    "MEMORY PURGE": "no allocator: kvengine refuses it",
    "MEMORY STATS": "no allocator: kvengine refuses it",
}


def covered() -> set[str]:
    return {
        name for module in MODULES for steps in module.CASES.values() for name in commands_in(steps)
    }


def test_every_registered_command_has_a_differential_case() -> None:
    missing = registry_commands() - covered() - set(NOT_COMPARED)
    assert missing == set(), f"commands with no differential case: {sorted(missing)}"


def test_exclusions_are_registered_and_not_covered() -> None:
    """An exclusion that names no command, or one a case now covers, is stale."""
    assert set(NOT_COMPARED) <= registry_commands()
    assert set(NOT_COMPARED) & covered() == set()


def test_coverage_sees_a_command_missing_from_the_cases() -> None:
    """The coverage check can fail: a name no case sends is reported as missing."""
    assert "NOSUCHCOMMAND" not in covered()
    assert commands_in([("OBJECT", "freq", "k")]) == {"OBJECT", "OBJECT FREQ"}
