"""Redis that may stop answering: the cache and the channel layer degrade instead of failing.

With REDIS_URL set, Redis holds the cache (cached sessions, allauth's rate limits, cached
facts such as who is an officer) and the channel layer. While it cannot be reached:

- cached sessions miss and their writes are skipped, so Django's `cached_db` engine reads and
  writes the database: nobody is logged out;
- rate limits and their locks (COUNTER_PREFIXES) count in this process's memory: they still
  hold, per worker process (looser, never absent, never an error);
- any other key is kept in this process's memory for a few seconds at most, so a cached fact
  is recomputed from the database rather than trusted across processes;
- a `group_send` is dropped: a live counter misses an update (the pages poll every 10 s anyway).

One circuit breaker per Redis server and process: after a failure nothing waits on that server
for HOCTAP_REDIS_RETRY_SECONDS, then one call tries again. A stopped Redis (connection refused)
costs well under a millisecond per call; a hung one costs one short timeout per process and
period instead of one per call.

When Redis answers again, a process that saw it fail first deletes this cache's keys there:
a logout, a password change or a role granted during the outage must not be undone by an
older copy that Redis kept. The same happens when a new connection finds Redis restarted (its
run id changed): the snapshot it reloads can be older than the database, whether or not anyone
saw it go.
"""

import functools
import logging
import re
import threading
import time
from urllib.parse import urlsplit

from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_KEY_PREFIX
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What "Redis is not there" looks like: redis-py wraps socket errors, but a few paths raise the
# socket's own OSError (TimeoutError included). Any RedisError counts too: a Redis that refuses
# writes (MISCONF after a full disk, OOM, READONLY replica) must not take the site down either.
REDIS_DOWN = (RedisError, OSError)


def server_of(url: str) -> str:
    """host:port (or the socket path) of a Redis URL, without the password it may carry."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


class CircuitBreaker:
    """Stops a process from waiting on a Redis server that just failed, for a while."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        # Set by every failure, cleared by the cache once it has dropped what Redis kept.
        self.cache_stale = False
        # The run id of a restarted Redis whose reloaded entries the cache is dropping.
        self.dropping_run: str | None = None

    def allows(self) -> bool:
        """Whether to call Redis now: always while it works; once a period while it does not."""
        if self._down_since is None:
            return True
        now = time.monotonic()
        with self._lock:
            if now < self._retry_at:
                return False
            # This caller tries; the others keep degrading until it has answered.
            self._retry_at = now + _retry_seconds()
            return True

    def failed(self, error: BaseException, *, by: str) -> None:
        now = time.monotonic()
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + _retry_seconds()
            self.cache_stale = True
        if first:
            logger.warning(
                "Redis at %s cannot be used (%s: %s), noticed by the %s: the cache and the "
                "channel layer degrade; trying again every %s s",
                self.server,
                type(error).__name__,
                error,
                by,
                _retry_seconds(),
            )
        else:
            logger.debug("Redis at %s still down (%s)", self.server, error)

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since, self._retry_at = self._down_since, None, 0.0
        if since is not None:
            logger.warning(
                "Redis at %s answers again after %.0f s", self.server, time.monotonic() - since
            )


def _retry_seconds() -> float:
    return float(getattr(settings, "HOCTAP_REDIS_RETRY_SECONDS", 5))


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str) -> CircuitBreaker:
    """The process's breaker for the Redis server of this URL (shared by cache and layer)."""
    server = server_of(url)
    with _breakers_lock:
        return _breakers.setdefault(server, CircuitBreaker(server))


# Counters and locks that are worth keeping, per process, for their whole lifetime while Redis
# is away: allauth's rate limits (login, password reset, our code-entry limit) with their locks,
# and the TOTP codes already used. Other keys are kept a few seconds at most (DATA_SECONDS):
# a process's copy must not outlive a change made through another process by more than that.
COUNTER_PREFIXES = ("allauth:rl:", "allauth.mfa.totp.used")
DATA_SECONDS = 5


def _is_session(key) -> bool:
    return str(key).startswith(SESSION_KEY_PREFIX)


class RedisRestartedError(RedisError):
    """A new connection found Redis restarted since this cache's entries were written."""

    def __init__(self, previous: str, run_id: str) -> None:
        super().__init__(f"Redis restarted (run {previous} is now {run_id})")
        self.run_id = run_id


def _check_run(marker: str, breaker: "CircuitBreaker"):
    """redis-py's connect hook: compare Redis's run id (new at every start) with the one this
    cache's entries were written in, kept in Redis itself, so that even a process started
    since notices a restart. A restarted Redis reloads a snapshot that can be minutes older
    than the database, whether or not any request saw it go: a session logged out since
    would come back. The marker moves only once the reloaded entries are dropped.
    """

    def connected(connection) -> None:
        connection.on_connect()
        try:
            connection.send_command("INFO", "server")
            info = connection.read_response()
            info = info.decode() if isinstance(info, bytes) else info
            run_id = next(
                line.split(":", 1)[1].strip()
                for line in info.splitlines()
                if line.startswith("run_id:")
            )
            connection.send_command("GET", marker)
            previous = connection.read_response()
            if previous is None:
                connection.send_command("SET", marker, run_id, "NX")
                connection.read_response()
        except (ResponseError, StopIteration):  # refused (an ACL): no such check here
            return
        previous = previous.decode() if isinstance(previous, bytes) else previous
        if previous is not None and previous != run_id and run_id != breaker.dropping_run:
            raise RedisRestartedError(previous, run_id)

    return connected


def _degradable(degraded):
    """Run RedisCache's method of the same name; on an outage, `degraded` answers instead."""
    name = degraded.__name__

    @functools.wraps(degraded)
    def method(self, *args, **kwargs):
        if self._breaker.allows():
            for _attempt in range(2):
                try:
                    if self._breaker.cache_stale:
                        self._forget_what_redis_kept()
                    result = getattr(RedisCache, name)(self, *args, **kwargs)
                except RedisRestartedError as restart:
                    logger.warning("%s at %s", restart, self._breaker.server)
                    # Drop what it reloaded (connecting for that is allowed), then try again.
                    self._breaker.dropping_run = restart.run_id
                    self._breaker.cache_stale = True
                except REDIS_DOWN as error:
                    self._breaker.failed(error, by="cache")
                    break
                else:
                    self._breaker.succeeded()
                    return result
        return degraded(self, *args, **kwargs)

    return method


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with short timeouts and a stand-in while Redis is away.

    The stand-in: cached sessions are a miss and their writes are skipped (the database has
    them); counters and locks (COUNTER_PREFIXES) live in this process's memory for their
    whole timeout; any other key for DATA_SECONDS at most, so `add` then `incr` still works
    and a cached fact is never much older than the database.
    """

    def __init__(self, server, params):
        first = re.split("[;,]", server)[0] if isinstance(server, str) else server[0]
        self._breaker = breaker_for(first)
        self._run_marker = f"{params.get('KEY_PREFIX', '')}:redis-run-id"
        options = {
            "socket_connect_timeout": getattr(settings, "HOCTAP_REDIS_CONNECT_TIMEOUT", 0.25),
            "socket_timeout": getattr(settings, "HOCTAP_REDIS_TIMEOUT", 1.0),
            # One immediate retry on a dropped connection (a pooled socket is dead after a
            # Redis restart), none on a timeout: a hung server costs one timeout, not two.
            "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            "redis_connect_func": _check_run(self._run_marker, self._breaker),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._local = LocMemCache(
            f"hoctap-redis-down:{self._breaker.server}",
            {**local, "OPTIONS": {"MAX_ENTRIES": 20_000}},
        )
        self._nowhere = DummyCache("", {**local})

    def _stand_in(self, key) -> LocMemCache | DummyCache:
        return self._nowhere if _is_session(key) else self._local

    def _stand_in_timeout(self, key, timeout):
        if str(key).startswith(COUNTER_PREFIXES):
            return timeout
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return DATA_SECONDS if timeout is None else min(timeout, DATA_SECONDS)

    def _forget_what_redis_kept(self) -> None:
        """Delete this cache's keys in Redis; each next read refills from the database.

        Called when Redis answers again after an outage, and when it restarted (it reloads a
        snapshot): what it kept may be older than the database (a session logged out, a role
        granted meanwhile). Only this cache's keys (KEY_PREFIX:VERSION:*) go; the broker's
        queues, the channel layer's groups and the run id marker stay.
        """
        self._breaker.cache_stale = False  # a failure meanwhile sets it again
        client = self._cache.get_client(write=True)
        pattern = _glob_escape(self.make_key("")) + "*"
        batch, dropped = [], 0
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                dropped += client.unlink(*batch)
                batch = []
        if batch:
            dropped += client.unlink(*batch)
        run, self._breaker.dropping_run = self._breaker.dropping_run, None
        if run is not None:
            client.set(self._run_marker, run)
        self._local.clear()
        logger.warning(
            "Redis at %s: %d cached entries from before the outage or restart dropped",
            self._breaker.server,
            dropped,
        )

    @_degradable
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        timeout = self._stand_in_timeout(key, timeout)
        return self._stand_in(key).add(key, value, timeout, version)

    @_degradable
    def get(self, key, default=None, version=None):
        return self._stand_in(key).get(key, default, version)

    @_degradable
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        timeout = self._stand_in_timeout(key, timeout)
        return self._stand_in(key).set(key, value, timeout, version)

    @_degradable
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        timeout = self._stand_in_timeout(key, timeout)
        return self._stand_in(key).touch(key, timeout, version)

    @_degradable
    def delete(self, key, version=None):
        return self._stand_in(key).delete(key, version)

    @_degradable
    def get_many(self, keys, version=None):
        return self._local.get_many([k for k in keys if not _is_session(k)], version)

    @_degradable
    def has_key(self, key, version=None):
        return self._stand_in(key).has_key(key, version)

    @_degradable
    def incr(self, key, delta=1, version=None):
        return self._stand_in(key).incr(key, delta, version)

    @_degradable
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key, value in data.items():
            self._stand_in(key).set(key, value, self._stand_in_timeout(key, timeout), version)
        return []

    @_degradable
    def delete_many(self, keys, version=None):
        return self._local.delete_many([k for k in keys if not _is_session(k)], version)

    @_degradable
    def clear(self):
        logger.warning(
            "Redis at %s is down: only this process's stand-in cache is cleared",
            self._breaker.server,
        )
        return self._local.clear()


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class ResilientRedisChannelLayer(RedisChannelLayer):
    """channels_redis, except that a group_send while Redis is away is dropped, not raised.

    Only group_send degrades: it is fire-and-forget by nature (channels_redis already drops
    messages over capacity). Joining a group and receiving still raise, so a WebSocket that
    cannot be served closes and its page reconnects later, polling meanwhile.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        host = self.hosts[0]
        url = host.get("address") or f"redis://{host.get('host')}:{host.get('port')}"
        self._breaker = breaker_for(url)

    async def group_send(self, group, message):
        if not self._breaker.allows():
            return
        try:
            await super().group_send(group, message)
        except REDIS_DOWN as error:
            self._breaker.failed(error, by="channel layer")
        else:
            self._breaker.succeeded()
