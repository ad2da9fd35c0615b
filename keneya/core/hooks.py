"""Named, ordered extension points: how a lower app reaches a higher one without importing it.

The layering (docs/architecture.md) lets an app import only the apps below it. Where a lower
app's story must continue in a higher one (a recorded visit raises alerts; a referral that did
not arrive raises one), the lower app owns a ``Hook`` and calls it explicitly, by name, inside
its transaction; the higher app registers its function in its ``AppConfig.ready``. This is not
a signal: the call site names the hook, the order is the registration order (the apps' order in
``INSTALLED_APPS``), nothing is sent to unknown receivers, and ``Hook.receivers`` lists them for
a reader or a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """An ordered list of functions a lower app calls at one point of its flow."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``receiver`` (once: registering twice, as a reloaded app would, changes nothing)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every receiver in order with the same arguments; their results, in order."""
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        names = ", ".join(f"{r.__module__}.{r.__qualname__}" for r in self._receivers)
        return f"<Hook {self.name}: {names or 'no receiver'}>"
