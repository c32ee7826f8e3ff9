"""JSON values as the protocol documents and the controller's API read them.

JSON has one kind of number: ``417`` and ``417.0`` are the same number, and JSON Schema's
``integer`` accepts both. :data:`Whole` takes either as the int 417 and refuses ``417.5``, a
bool and text, even in strict models. For a whole number within bounds, put :data:`WHOLE`
after the bounds (before them, the JSON Schema would not carry them)::

    seq: Annotated[int, Field(ge=1, le=2**62), WHOLE]

:data:`NO_NUL` is the pattern of text that holds no NUL character (no database stores one;
PostgreSQL refuses it).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

NO_NUL = r"^[^\x00]*$"


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WHOLE = BeforeValidator(_whole)
# A whole number, written as JSON may write it (417 or 417.0).
Whole = Annotated[int, WHOLE]
