"""Where apps above study plug into its pages without study importing them.

An app registers, in its AppConfig.ready(), a function (user, session) -> list of SessionLink;
the session page shows every link returned (attendance adds its projector and sheet, essays
will add the grading queue).
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
