"""The database out of reach (issue 14, point 3): a 503 with the app's own page, then the next
request is served as usual. bench/run.py --only faults restarts a real PostgreSQL under load."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from config.views import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.LANGUAGE_CODE = "en"


@contextmanager
def database_gone():
    """Every statement fails as it does while PostgreSQL restarts."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("terminating connection due to administrator command")

    with connection.execute_wrapper(refuse):
        yield


def page_of(response) -> str:
    return response.content.decode()


def test_a_page_asks_again_by_itself_while_the_database_is_away(production, org_tree, member_of):
    client = Client(raise_request_exception=False)
    client.force_login(member_of(org_tree.cell_a1a))

    with database_gone():
        response = client.get(reverse("home"))

    text = page_of(response)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Briefly unavailable" in text and "tries again by itself in 5 seconds" in text
    assert '<meta http-equiv="refresh" content="5">' in text
    assert "Traceback" not in text and "OperationalError" not in text
    assert client.get(reverse("home")).status_code == 200  # served again, nothing to do


def test_a_form_sent_while_the_database_is_away_is_not_resent_by_the_page(
    production, org_tree, member_of
):
    client = Client(raise_request_exception=False)
    client.force_login(member_of(org_tree.cell_a1a))

    with database_gone():
        response = client.post(reverse("attendance:code"), {"code": "123456"})

    text = page_of(response)
    assert response.status_code == 503
    assert "may not have been saved" in text and "http-equiv" not in text


def test_the_page_is_in_the_products_language(settings, org_tree, member_of):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(member_of(org_tree.cell_a1a))

    with database_gone():
        response = client.get(reverse("home"))

    assert response.status_code == 503
    assert '<html lang="vi">' in page_of(response)


def test_any_other_error_keeps_the_500_page(production):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500 and "Retry-After" not in response


def _database_options(**env) -> dict:
    """config/settings.py's database options in a process of its own, with this environment."""
    code = "import json, config.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "VIRTUAL_ENV")}
    run = subprocess.run(  # noqa: S603 -- our own interpreter and settings
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env={**clean, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def test_postgresql_prepares_statements_unless_a_setting_says_not_to(tmp_path):
    """On by default (a check-in costs less); HOCTAP_DB_PREPARE=0 behind a transaction pooler.
    SQLite has nothing to prepare."""
    postgres = "postgres://hoctap:x@127.0.0.1:5432/hoctap"

    default = _database_options(DATABASE_URL=postgres)
    plain = _database_options(DATABASE_URL=postgres, HOCTAP_DB_PREPARE="0")
    embedded = _database_options(HOCTAP_DATA_DIR=str(tmp_path))

    assert default["server_side_binding"] is True and default["prepare_threshold"] == 2
    assert "server_side_binding" not in plain and "prepare_threshold" not in plain
    assert "server_side_binding" not in embedded
