"""Where apps above study plug into its pages without study importing them.

An app registers, in its AppConfig.ready(), a function (user, session) -> list of SessionLink;
the session page shows every link returned (attendance adds its projector and sheet, essays
will add the grading queue). Likewise a function (user, session, participation) -> SessionPanel
adds a part about the viewer's own participation (their attendance, their essay).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionLink:
    label: str
    url: str


SessionLinkProvider = Callable[[object, object], list[SessionLink]]
_providers: list[SessionLinkProvider] = []


def register_session_links(provider: SessionLinkProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def session_links(user, session) -> list[SessionLink]:
    return [link for provider in _providers for link in provider(user, session)]


@dataclass(frozen=True)
class SessionPanel:
    """A part of the session page about the viewer's own participation (their attendance,
    their essay), rendered by the app that knows it: `template` with `context` as `panel`."""

    template: str
    context: dict


# (user, session, the user's current participation) -> a panel, or None
SessionPanelProvider = Callable[[object, object, object], SessionPanel | None]
_panel_providers: list[SessionPanelProvider] = []


# session -> whether any of its essays has been graded (essays registers it): from then on,
# whether its grades are released together can no longer change.
SessionCheck = Callable[[object], bool]
_graded_checks: list[SessionCheck] = []


def register_graded_check(check: SessionCheck) -> None:
    if check not in _graded_checks:
        _graded_checks.append(check)


def has_grades(session) -> bool:
    return any(check(session) for check in _graded_checks)


def register_member_panel(provider: SessionPanelProvider) -> None:
    if provider not in _panel_providers:
        _panel_providers.append(provider)


def member_panels(user, session, participant) -> list[SessionPanel]:
    """The viewer's own panels, when they are expected at the session."""
    if participant is None:
        return []
    panels = (provider(user, session, participant) for provider in _panel_providers)
    return [panel for panel in panels if panel is not None]
