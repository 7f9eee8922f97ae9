"""Issue 10.6 and 10.9: no public secret, production headers, `check --deploy` clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from config.settings import embedded_secret_key
from tests.times import at

ROOT = Path(__file__).resolve().parent.parent

# The production environment README's "Configuration and production" section gives.
PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://hoctap:secret@127.0.0.1:5432/hoctap",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "hoctap.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://hoctap.example.vn",
    "HOCTAP_BASE_URL": "https://hoctap.example.vn",
    "HOCTAP_HTTPS": "1",
    "HOCTAP_TRUSTED_PROXIES": "1",
    "HOCTAP_REQUIRE_2FA_ABOVE_CELL": "1",
    "DEBUG": "0",
}


def _run(args, env):
    # A clean environment: only what finds Python, then the production settings given.
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    return subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "PYTHONWARNINGS": "ignore", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HOCTAP_DATA_DIR": str(tmp_path),
    }

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = {**PRODUCTION_ENV, "HOCTAP_DATA_DIR": str(tmp_path)}

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_mode_generates_its_key_once_and_keeps_it(tmp_path):
    first = embedded_secret_key(tmp_path / "var")
    second = embedded_secret_key(tmp_path / "var")

    assert first == second and len(first) >= 50
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert "hoctap-embedded-insecure-key" not in Path(ROOT / "config/settings.py").read_text()


def test_no_template_holds_inline_script_or_handlers():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(ROOT)))

    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_the_policy_headers(client, org_tree, member_of):
    client.force_login(member_of(org_tree.cell_a1a))

    home = client.get(reverse("home"))
    login_page = client.get(reverse("account_login"))

    assert "script-src 'self'" in home["Content-Security-Policy"]
    assert "'unsafe-inline'" not in home["Content-Security-Policy"]
    assert "camera=(self)" in home["Permissions-Policy"]
    assert "private" in home["Cache-Control"]
    assert "Content-Security-Policy" in login_page
    assert home["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_that_show_secrets_are_not_stored(client, org_tree, member_of):
    from tests.factories import PASSWORD

    client.force_login(member_of(org_tree.cell_a1a))
    asked = client.get(reverse("mfa_activate_totp"))
    client.post(asked["Location"], {"password": PASSWORD})  # allauth asks for it again

    totp = client.get(reverse("mfa_activate_totp"))

    assert totp.status_code == 200
    assert "no-store" in totp["Cache-Control"]


@pytest.mark.django_db
def test_qr_and_calendar_links_are_https_behind_the_tls_proxy(
    client, settings, org_tree, secretary_of, spec_for
):
    from study import services as study_services

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["hoctap.example.vn"]
    secretary = secretary_of(org_tree.cell_a1a)
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(secretary, spec=spec_for(org_tree.cell_a1a)),
    )
    client.force_login(secretary)
    proxied = {"HTTP_HOST": "hoctap.example.vn", "HTTP_X_FORWARDED_PROTO": "https"}

    with time_machine.travel(at(10, 7, 40), tick=False):  # check-in is open: a code shows
        state = client.get(
            reverse("attendance:projector-state", args=[session.segments.first().pk]), **proxied
        ).json()
    sessions = client.get(reverse("study:session-list"), **proxied)

    assert state["url"].startswith("https://hoctap.example.vn/a/")
    assert sessions.context["feed_url"].startswith("https://hoctap.example.vn/calendar/")


@pytest.mark.django_db
def test_https_redirect_spares_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = django_settings.SECURE_REDIRECT_EXEMPT or [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 31536000

    probe = client.get("/healthz")
    page = client.get(reverse("account_login"))
    secure = client.get(reverse("account_login"), secure=True)

    assert probe.status_code == 200
    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


def test_every_message_has_its_vietnamese_translation():
    import polib

    po = polib.pofile(str(ROOT / "locale/vi/LC_MESSAGES/django.po"))

    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert missing == []
