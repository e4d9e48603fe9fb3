"""Django's Redis cache, failing fast while Redis is unreachable.

Every cache call already gives up after CACHE_TIMEOUT. When Redis hangs, that is still a wait in every
call of every request; so after a connection error or a timeout, this process's calls raise at once for
CACHE_RETRY_AFTER seconds, and its callers take their fallbacks (the readers' limits count stored rows)
without waiting. A missing key and the like are not failures of Redis and pass through untouched.
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
              "delete_many", "clear")  # fmt: skip


class Paused(RedisConnectionError):
    """Redis could not be reached a moment ago: this call was not tried."""


class FailFastClient(django_redis.RedisCacheClient):
    paused_until = 0.0  # per process: every cache of the process shares the verdict on the server

    @classmethod
    def resume(cls) -> None:
        cls.paused_until = 0.0


def _fail_fast(operation):
    @functools.wraps(operation)
    def call(self, *args, **kwargs):
        if time.monotonic() < FailFastClient.paused_until:
            raise Paused("Redis was unreachable a moment ago")
        try:
            return operation(self, *args, **kwargs)
        except UNREACHABLE as exc:
            FailFastClient.paused_until = time.monotonic() + settings.CACHE_RETRY_AFTER
            log.warning("cache unreachable (%s); not tried again for %s s", exc, settings.CACHE_RETRY_AFTER)
            raise

    return call


for _name in OPERATIONS:
    setattr(FailFastClient, _name, _fail_fast(getattr(django_redis.RedisCacheClient, _name)))


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailFastClient
