"""Browser tests: Playwright driving Debian's Chromium (no browser download is possible here)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make for
# arranging data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A service worker's own requests go through the context's routes only with this (read when
# Playwright's driver starts): offline_network() cuts them too, as a phone without network would.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
# Every page of a logged-in user registers the service worker (static/js/sw.js). A request of a
# page it controls that it leaves to the network is seen by no Playwright route, the page's or
# the context's: a test that fails requests by a route, and is not about the worker, opens its
# context with service_workers=NOT_WITH_ROUTES, or its routes miss whenever the worker wins
# the race to control the page.
NOT_WITH_ROUTES = "block"


# Module scope: Playwright's sync API keeps an event loop running in this thread, which must be
# gone before the Channels tests run their own loops.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        message = "Debian's chromium is not installed (bin/test installs it when run as root)"
        if os.environ.get("HOCTAP_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (360 x 740) pointed at the live server."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _disconnected(route):
    route.abort("internetdisconnected")


def offline_network(context, offline: bool) -> None:
    """Cut or restore a browser's network. set_offline alone does not reach the requests a
    service worker makes (Playwright issue #2311), so while offline every request of the
    context, the worker's included, is also aborted by a route."""
    if offline:
        context.set_offline(True)
        context.route("**/*", _disconnected)
    else:
        context.unroute("**/*", _disconnected)
        context.set_offline(False)


def outside_event_loop(function, *args, **kwargs):
    """Run arranging code in a plain thread: Playwright's sync API keeps an event loop in this
    one, and code that calls async_to_sync (the channel layer) refuses to run under it."""
    import threading

    from django.db import connections

    result, errors = [], []

    def run():
        try:
            result.append(function(*args, **kwargs))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
