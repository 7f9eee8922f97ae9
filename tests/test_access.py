"""All access is mediated: every view is marked public or goes through members.permissions."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from members.permissions import ACCESS_ATTR

# Third-party apps that bring their own access control.
DELEGATED = ("admin:", "account_", "mfa_", "set_language", "django.views.i18n")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else prefix
            yield from walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name or ''}", entry.callback


def test_every_project_view_declares_its_access():
    unmarked = [
        name
        for name, view in walk(get_resolver().url_patterns)
        if not name.startswith(DELEGATED)
        and not view.__module__.startswith(("allauth", "django.contrib", "django.views"))
        and not getattr(view, ACCESS_ATTR, None)
    ]

    assert unmarked == []


@pytest.mark.parametrize("name", ["home", "members:organization-list", "members:member-list"])
def test_the_walk_sees_our_views(name):
    assert name in dict(walk(get_resolver().url_patterns))
