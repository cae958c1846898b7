"""Errors a user can act on: the CLI prints the message (never a traceback) and exits non-zero."""

from __future__ import annotations


class VendorboardError(Exception):
    """Bad input or a refused operation; the message names the file, row, column or argument.

    An error a page may show in Chinese is raised as facts: `VendorboardError.of("error.<name>",
    file=..., ...)` names its sentence (a label of metrics.i18n) and the values it quotes, and
    `metrics.render.error(exc, language)` words it; its English words are its message (`str`).
    Other errors carry their English message as given."""

    def __init__(self, message: str = "", key: str | None = None, values: dict | None = None) -> None:
        super().__init__(message)
        self.key, self.values = key, dict(values or {})

    @classmethod
    def of(cls, key: str, **values: object) -> VendorboardError:
        return cls("", key, values)

    def __str__(self) -> str:
        if self.key is None:
            return super().__str__()
        from metrics.render import error  # the words live with every other label (a late import: see above)

        return error(self, "en")
