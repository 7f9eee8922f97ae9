"""The member's phone as an installable web app (issue 16): the web manifest, and the service
worker's text (static/js/sw.js) with what it needs from the server put in front of it: the
words it shows, in the language of the request, and the URLs of the files it keeps for when
the network is down (the hashed names of production's static storage)."""

import json
import re
from functools import cache

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The URLs under /a/ that are pages, not a projector's code.
_NOT_CODES = ("attendance:resume", "attendance:code", "attendance:ask-to-join")
KEPT_FILES = ("css/hoctap.css", "js/offline-page.js", "img/favicon.svg")
DOOR_FILES = ("js/door.js", "vendor/jsqr/jsQR.js", "js/hoctap.js", "js/offline-register.js")


def _door_pattern() -> str:
    """The door scanner's pages as a regular expression for JavaScript."""
    before, after = reverse("attendance:door", args=[0]).split("/0/", 1)
    return "^" + re.escape(before + "/") + r"\d+" + re.escape("/" + after) + "$"


def _config() -> dict:
    return {
        "scanPrefix": reverse("attendance:scan", args=["x"]).removesuffix("x/"),
        "notCodes": [reverse(name) for name in _NOT_CODES]
        + [reverse("attendance:offline"), reverse("attendance:offline-send")],
        "send": reverse("attendance:offline-send"),
        "mine": reverse("attendance:offline"),
        "home": reverse("home"),
        "kept": [static(name) for name in KEPT_FILES],
        # The door scanner keeps working when its page is reloaded offline (a phone's browser
        # drops a tab in the background): its page and files are kept once it has opened them.
        "door": _door_pattern(),
        "doorFiles": [static(name) for name in DOOR_FILES],
        "css": static("css/hoctap.css"),
        "script": static("js/offline-page.js"),
        "icon": static("img/favicon.svg"),
        "lang": get_language() or "vi",
        "text": {
            "title": _("Scan kept on this phone"),
            "kept": _("Recorded on this phone; it will be sent when the network is back."),
            "at": _("Scanned at"),
            "noSync": _(
                "This browser cannot send it in the background: keep this page open, or open "
                "it again when the network is back."
            ),
            "recorded": _("Checked in"),
            "pending": _("Waiting for the secretary's confirmation"),
            "refused": _("Not recorded"),
            "mine": _("My scans sent later"),
            "home": _("Home"),
        },
    }


@cache
def _source() -> str:
    with open(finders.find("js/sw.js"), encoding="utf-8") as script:
        return script.read()


def service_worker() -> str:
    # The version line changes with the words and the files' names: a new service worker is
    # installed when they change (the browser compares the text byte for byte).
    return f"self.HOCTAP = {json.dumps(_config(), ensure_ascii=False)};\n{_source()}"


def manifest() -> dict:
    return {
        "name": "hoctap",
        "short_name": "hoctap",
        "description": _("Study sessions and attendance"),
        "lang": get_language() or "vi",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/icon-512-maskable.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
