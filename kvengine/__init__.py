"""kvengine: a Redis-7.0-faithful key-value engine in pure Python, built for teaching.

    >>> import kvengine
    >>> store = kvengine.Store(clock=kvengine.VirtualClock(0), seed=0)
    >>> store.execute("SET", "user:42", "alice", "EX", "3600")
    'OK'
    >>> store.ttl("user:42"), store.get("user:42")
    (3600, 'alice')

See docs/engine.md for what is faithful to Redis and what is an extension.
"""

from .clock import Clock, SystemClock, VirtualClock

# the command families: importing a module registers its commands (kvengine/commands/__init__.py)
from .commands import expiry, keys, server, strings  # noqa: F401
from .errors import ResponseError
from .events import EventLog
from .evict import POLICIES
from .hashing import HASH_FUNCTIONS, djb2_32, fnv1a_32, hash_trace
from .hashtable import HashTable
from .multi import Client
from .store import Store

__all__ = [
    "Client",
    "Clock",
    "SystemClock",
    "VirtualClock",
    "ResponseError",
    "EventLog",
    "POLICIES",
    "HASH_FUNCTIONS",
    "djb2_32",
    "fnv1a_32",
    "hash_trace",
    "HashTable",
    "Store",
]
__version__ = "0.1.0"
