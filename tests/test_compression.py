"""Issue 13.3 and 13.7: pages and static files travel compressed when the browser asks, files
that are compressed already are left alone, and /favicon.ico is the icon, not a 404."""

import gzip

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from config.middleware import CompressTextMiddleware
from study import services

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}


def test_an_html_page_is_sent_gzipped_when_the_browser_asks(client):
    asked = client.get("/accounts/login/", **BROWSER)
    plain = client.get("/accounts/login/")

    assert asked.status_code == plain.status_code == 200
    assert asked["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in asked["Vary"]
    assert b"<html" in gzip.decompress(asked.content)
    assert len(asked.content) < len(plain.content) / 2
    assert not plain.has_header("Content-Encoding")


def test_the_bloc_wide_session_page_travels_in_a_few_kilobytes(
    client, org_tree, secretary_of, member_of, spec_for
):
    secretary = secretary_of(org_tree.cell_a1a)
    for i in range(150):
        member_of(org_tree.cell_a1a, full_name=f"Đảng Viên {i:03d}")
    session = services.publish_session(
        secretary,
        session=services.create_session(secretary, spec=spec_for(org_tree.cell_a1a)),
        announce=False,
    )
    client.force_login(secretary)

    response = client.get(session.get_absolute_url(), **BROWSER)

    page = gzip.decompress(response.content)
    assert response["Content-Encoding"] == "gzip"
    assert len(page) < 60_000  # a hundred participants to a page, not all of them
    assert len(response.content) < 10_000


def test_static_files_are_gzipped_in_the_embedded_mode(settings):
    # The embedded mode serves static files through WhiteNoise from the source folders; the
    # production storage writes .br and .gz beside each file and WhiteNoise picks one.
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()

    response = client.get("/static/css/hoctap.css", **BROWSER)

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b".topbar" in gzip.decompress(body)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
        "image/png",
    ],
)
def test_files_compressed_already_are_sent_as_they_are(content_type):
    request = RequestFactory().get("/", **BROWSER)
    payload = b"PK\x03\x04" + b"\x00" * 4000

    response = CompressTextMiddleware(lambda r: HttpResponse(payload, content_type=content_type))(
        request
    )

    assert not response.has_header("Content-Encoding")
    assert response.content == payload


def test_favicon_ico_is_the_icon(client):
    response = client.get("/favicon.ico")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in response["Cache-Control"]
