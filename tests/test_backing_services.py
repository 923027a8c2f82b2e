"""The real parts work: each test fails when its service is down or misconfigured."""

import requests
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_redis import get_redis_connection

from accounts.models import User


def test_it_writes_and_reads_a_row_in_postgresql(db):
    assert connection.vendor == "postgresql"
    User.objects.create_user(email="alice@example.com", password="correct horse battery")
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM accounts_user WHERE email = %s", ["alice@example.com"])
        assert cursor.fetchone() == ("alice@example.com",)


def test_it_round_trips_a_value_through_redis(backing_services):
    cache.set("round-trip", {"n": 42}, 30)
    assert cache.get("round-trip") == {"n": 42}
    # and it really is Redis, not an in-process stand-in
    raw = get_redis_connection("default")
    assert raw.ping() is True
    assert any(b"round-trip" in key for key in raw.keys("*round-trip*"))


def test_it_saves_reads_and_presigns_a_file_on_s3(s3_server):
    name = default_storage.save("probe/hello.txt", ContentFile(b"hello from diffall"))
    with default_storage.open(name) as stored:
        assert stored.read() == b"hello from diffall"
    # the object is in the bucket of the S3 server, not on local disk
    head = s3_server.client().head_object(Bucket=s3_server.bucket, Key=name)
    assert head["ContentLength"] == len(b"hello from diffall")
    url = default_storage.url(name)
    assert url.startswith(s3_server.endpoint)
    assert "Signature" in url or "X-Amz-Signature" in url
    assert requests.get(url, timeout=5).content == b"hello from diffall"
    default_storage.delete(name)
