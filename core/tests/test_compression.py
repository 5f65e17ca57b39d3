"""Pages and JSON leave the server gzip-compressed when the client accepts it (issue 15, point
7: a village phone at 250 kbit/s), through django.middleware.gzip.GZipMiddleware; a client
that does not ask for it gets the plain body."""

import gzip

import pytest
from django.urls import reverse

from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_a_page_is_compressed_only_for_a_client_that_accepts_gzip(
    client, world, director, django_assert_max_num_queries
):
    for name in ("王小明", "李小红", "张小军"):
        make_child(world["a1"], name)
    client.force_login(director)
    url = reverse("care:worklist")
    plain = client.get(url)
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")
    with django_assert_max_num_queries(40):
        packed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    body = gzip.decompress(packed.content).decode()
    assert "王小明" in body
    # Less than half the bytes (the token and the nonce differ from one answer to the next).
    assert len(packed.content) < len(plain.content) / 2


def test_json_is_compressed_too(client):
    plain = client.get("/manifest.webmanifest")
    packed = client.get("/manifest.webmanifest", headers={"accept-encoding": "gzip"})
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
