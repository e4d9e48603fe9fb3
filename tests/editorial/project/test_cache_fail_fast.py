"""A cache that cannot be reached is tried once, then left alone for a moment: a hung Redis costs one
call its timeout, not every call of every request."""

import socket

import pytest
from django.core.cache import cache

from editorial.cache import FailFastClient, Paused


@pytest.fixture
def hung_redis():
    """A port that accepts connections and never answers, like a Redis that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def redis_cache_at(settings):
    def at(port: int) -> None:
        settings.CACHE_RETRY_AFTER = 60
        settings.CACHES = {
            "default": {
                "BACKEND": "editorial.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        }

    yield at
    FailFastClient.resume()


def test_after_a_timeout_the_cache_is_not_tried_again_for_a_while(hung_redis, redis_cache_at, monkeypatch):
    redis_cache_at(hung_redis)
    with pytest.raises(Exception) as first:
        cache.get("counter")
    assert not isinstance(first.value, Paused)  # tried, and waited for the timeout

    tried = []
    monkeypatch.setattr("redis.connection.AbstractConnection.connect", lambda self: tried.append(1))
    for call in (lambda: cache.get("counter"), lambda: cache.add("k", 1, 60), lambda: cache.incr("k")):
        with pytest.raises(Paused):
            call()
    assert tried == []  # not one connection attempt while paused

    FailFastClient.resume()
    monkeypatch.undo()
    with pytest.raises(Exception) as again:
        cache.get("counter")
    assert not isinstance(again.value, Paused)  # tried again once the pause is over


@pytest.mark.redis
def test_a_missing_counter_is_not_a_failure_of_redis(redis_cache_at, settings):
    redis_cache_at(int(settings.REDIS_URL.rsplit(":", 1)[1].split("/")[0]))
    with pytest.raises(ValueError):
        cache.incr("no-such-counter")
    assert cache.add("a-counter", 1, 5) and cache.incr("a-counter") == 2  # still tried: not paused
    cache.delete("a-counter")
