"""Rasa's Redis lock store, with a conversation's tickets changed atomically (cluster mode, docs/deploy.md).

Rasa 3.6's `RedisLockStore` issues a ticket by reading the conversation's lock from Redis, adding the ticket and
writing the lock back; it removes one the same way. Two replicas that get a message of the same conversation at
the same moment both read "no lock", both write a lock holding only their own ticket, and both go ahead: the two
messages are processed at once and one of them is lost when the second replica stores the conversation (seen in
tests/test_cluster.py). Here every such read-modify-write runs under a short Redis mutex per conversation.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

#: the per-conversation mutex is held for one read-modify-write (milliseconds); it expires by itself after this
MUTEX_TIMEOUT_S = 5.0
#: how long a replica waits for the mutex before the message fails with a clear error (the channel answers 503)
MUTEX_WAIT_S = 3.0


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes are atomic. endpoints.yml: `lock_store: {type:
    bot.rasa_plugins.lock_store.AtomicRedisLockStore, url, port, db, password, key_prefix, socket_timeout}`."""

    def __init__(self, endpoint_config: Any = None, **options: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            options = {**dict(endpoint_config.kwargs), **options, "host": endpoint_config.url or "localhost"}
        super().__init__(**options)

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_TIMEOUT_S,
                             blocking_timeout=MUTEX_WAIT_S)  # fmt: skip

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._mutex(conversation_id):
                return super().issue_ticket(conversation_id, lock_lifetime)
        except LockError:
            raise
        except Exception as error:  # Redis unreachable, or the mutex not had in time
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
