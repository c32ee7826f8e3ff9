"""The JSON API under ``/api/v1``: :mod:`signage.api.common` is what every handler shares,
:mod:`signage.api.routes` wires the areas' handlers, :mod:`signage.api.openapi` describes them."""
