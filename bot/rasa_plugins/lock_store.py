"""Rasa's lock stores (one message of a conversation at a time), with a waiting message checking every 50 ms
instead of every second: in memory for one process, and on Redis with a conversation's tickets changed atomically,
in one round trip each (cluster mode, docs/deploy.md).

Rasa 3.6's `RedisLockStore` issues a ticket by reading the conversation's lock from Redis, adding the ticket and
writing the lock back; it removes one the same way. Two replicas that get a message of the same conversation at
the same moment both read "no lock", both write a lock holding only their own ticket, and both go ahead: the two
messages are processed at once and one of them is lost when the second replica stores the conversation (seen in
tests/test_cluster.py). Here each change is one Lua script that Redis runs atomically: issuing a ticket, and
returning it. That is also two round trips per message instead of Rasa's eleven (with a mutex around its reads and
writes), each of which held the replica's event loop while it waited (py-spy under 50 visitors: a tenth of a
replica's time). A message whose conversation is busy on another replica waits for its turn checking every
`WAIT_S`, not every second as Rasa does.

The lock keeps Rasa's format (`TicketLock.dumps()`), so Rasa's own methods still read it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore

logger = logging.getLogger(__name__)

#: how often a message waiting for its conversation's earlier message checks whether its turn has come
WAIT_S = 0.05

# KEYS[1] the lock; ARGV: now, lifetime, conversation id. Drops expired tickets, appends one numbered after the last,
# and returns {its number, the number now served}.
_ISSUE = """
local now = tonumber(ARGV[1])
local kept = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  for _, text in ipairs(cjson.decode(raw)['tickets']) do
    local ticket = cjson.decode(text)
    if ticket['expires'] >= now then table.insert(kept, text) end
  end
end
local number = 0
if #kept > 0 then number = cjson.decode(kept[#kept])['number'] + 1 end
table.insert(kept, cjson.encode({number = number, expires = now + tonumber(ARGV[2])}))
redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[3], tickets = kept}))
return {number, cjson.decode(kept[1])['number']}
"""

# KEYS[1] the lock; ARGV: now, ticket number, conversation id. Removes the ticket and expired ones; deletes the
# lock when none is left. Returns how many tickets are left.
_RETURN = """
local now = tonumber(ARGV[1])
local number = tonumber(ARGV[2])
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local kept = {}
for _, text in ipairs(cjson.decode(raw)['tickets']) do
  local ticket = cjson.decode(text)
  if ticket['number'] ~= number and ticket['expires'] >= now then table.insert(kept, text) end
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[3], tickets = kept}))
end
return #kept
"""


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes are atomic. endpoints.yml: `lock_store: {type:
    bot.rasa_plugins.lock_store.AtomicRedisLockStore, url, port, db, password, key_prefix, socket_timeout}`."""

    def __init__(self, endpoint_config: Any = None, **options: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            options = {**dict(endpoint_config.kwargs), **options, "host": endpoint_config.url or "localhost"}
        super().__init__(**options)
        self._issue = self.red.register_script(_ISSUE)
        self._return = self.red.register_script(_RETURN)

    def _take_ticket(self, conversation_id: str, lock_lifetime: float) -> tuple[int, int]:
        """(the ticket's number, the number now served)."""
        try:
            number, serving = self._issue(keys=[self.key_prefix + conversation_id],
                                          args=[repr(time.time()), lock_lifetime, conversation_id])  # fmt: skip
        except Exception as error:  # Redis unreachable or too slow (socket_timeout)
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number), int(serving)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._take_ticket(conversation_id, lock_lifetime)[0]

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._return(keys=[self.key_prefix + conversation_id], args=[repr(time.time()), ticket_number, conversation_id])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_S) -> AsyncGenerator[TicketLock, None]:  # fmt: skip
        """Holds the conversation's lock while the block runs; a message that finds an earlier one of its
        conversation still being processed waits for it (checking every `WAIT_S`)."""
        number, serving = self._take_ticket(conversation_id, lock_lifetime)
        try:
            if number == serving:
                yield TicketLock(conversation_id, deque([Ticket(number, time.time() + lock_lifetime)]))
            else:
                yield await self._acquire_lock(conversation_id, number, min(wait_time_in_seconds, WAIT_S))
        finally:
            try:
                self.cleanup(conversation_id, number)
            except Exception as error:  # Redis gone after the message was processed: its answer stands (a 503 now
                # would make the widget send it again); the ticket expires by itself after the lock's lifetime
                logger.error("Could not return the lock of conversation %s: %s", conversation_id, error)

    def update_lock(self, conversation_id: str) -> None:
        """Nothing to write while waiting: expired tickets are dropped by each script, and a waiting message's
        reading of the lock skips them (Rasa's version writes the lock back unguarded, racing the scripts)."""


class QuickInMemoryLockStore(InMemoryLockStore):
    """Rasa's in-memory lock store (one process: `make run`), with a waiting message checking every `WAIT_S`
    instead of every second. A visitor's message that arrives while the previous one is still being processed (a
    quick second message, a button clicked while the answer is still coming) waited up to a second more than it
    needed to. endpoints.yml: `lock_store: {type: bot.rasa_plugins.lock_store.QuickInMemoryLockStore}`."""

    def __init__(self, endpoint_config: Any = None) -> None:  # Rasa passes the endpoint for a module path
        super().__init__()

    def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
             wait_time_in_seconds: float = WAIT_S) -> AbstractAsyncContextManager[TicketLock]:  # fmt: skip
        return super().lock(conversation_id, lock_lifetime, min(wait_time_in_seconds, WAIT_S))
