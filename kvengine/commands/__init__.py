"""The commands, one module per family, and ``processCommand`` (:mod:`.registry`).

``Store.execute(*args)`` answers as redis-server 7.0.15 does: same replies, same error texts.

    >>> from kvengine import Store, VirtualClock
    >>> s = Store(clock=VirtualClock(0))
    >>> s.execute("SET", "k", "v", "PX", 1500), s.execute("TTL", "k"), s.execute("TYPE", "k")
    ('OK', 2, 'string')
    >>> s.execute("GET")
    Traceback (most recent call last):
    ...
    kvengine.errors.ResponseError: ERR wrong number of arguments for 'get' command

The families: :mod:`.strings` (t_string.c), :mod:`.keys` (generic keyspace commands),
:mod:`.expiry` (expire.c), :mod:`.server` (CONFIG, INFO, OBJECT, MEMORY, DBSIZE, FLUSHALL).
A handler is ``handler(store, argv) -> reply``; it uses only the store's public methods.

Adding a family (hashes, lists, sets, sorted sets, transactions...) needs no change here:

1. Put the value type, if new, in its own module (e.g. ``kvengine/values/hash.py``): a
   subclass of :class:`kvengine.values.Value` with ``type_name``, ``encoding()`` and
   ``memory_usage()``.
2. Write ``kvengine/commands/hashes.py``: each command a function decorated with
   ``@command("hset", -4, "write denyoom")`` from :mod:`.registry` (``container`` and
   ``subcommand`` for commands with subcommands). Parse and validate *every* argument first,
   then call ``store.make_room(key)`` if the command may add a key, then
   ``store.lookup_write(key, "hash")`` (None, or the value, or Redis's WRONGTYPE error),
   ``store.db_add(key, value)`` for a new key, and after changing a value in place
   ``store.signal_modified_key(key)``; ``store.db_delete(key)`` when a container becomes
   empty. Reads use ``store.lookup_read(key, "hash")``.
3. Add the module to the one import line in ``kvengine/__init__.py`` that loads the families.

The store does not import the families (they import it), so the import graph stays one-way:
``kvengine/__init__`` -> families -> ``store`` -> ``registry``.
"""
