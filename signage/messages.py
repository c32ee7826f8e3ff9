"""Texts the controller writes for people (a verdict's reasons, say) that pages translate.

A :class:`Said` is the English text itself, so it goes unchanged into JSON, CSV and logs; it also
keeps its template and values, so a page shows it in the page's language (the template is a
message id of the catalog; ``make translations`` finds it by the class's name). A value may be a
``Said`` too, translated with it; :meth:`Said.join` puts several together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


class Said(str):
    """An English text made from ``template % params``, translatable where it is shown."""

    template: str
    params: dict[str, object]
    parts: tuple[Said, ...]
    separator: str

    def __new__(cls, template: str, **params: object) -> Said:
        text = template % {k: str(v) for k, v in params.items()} if params else template
        made = super().__new__(cls, text)
        made.template, made.params, made.parts, made.separator = template, params, (), ""
        return made

    @classmethod
    def join(cls, separator: str, parts: Sequence[Said]) -> Said:
        """The parts one after another, ``separator`` between them (translated too)."""
        made = super().__new__(cls, separator.join(parts))
        made.template, made.params, made.parts, made.separator = "", {}, tuple(parts), separator
        return made

    def translated(self, gettext: Callable[[str], str]) -> str:
        if self.parts:
            return gettext(self.separator).join(p.translated(gettext) for p in self.parts)
        values = {
            k: v.translated(gettext) if isinstance(v, Said) else str(v)
            for k, v in self.params.items()
        }
        try:
            return gettext(self.template) % values if values else gettext(self.template)
        except (KeyError, ValueError, TypeError):  # a translation that lost a value
            return str(self)


def translated(text: object, gettext: Callable[[str], str]) -> str:
    """``text`` in ``gettext``'s language: a :class:`Said`, or a plain message id."""
    if isinstance(text, Said):
        return text.translated(gettext)
    return gettext(str(text))
