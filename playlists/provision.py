"""The provisioning file (schema ``signage.provision/1``): all a player needs to start.

``signage screen add … --provision FILE`` and ``signage screen token KEY --provision FILE``
write it (0600, it holds the screen's token); ``signage-player run --provision FILE`` reads it:
the controller's URL, the screen's key and token, and the controller's public keys with the one
it signs with now, which the player trusts from the start (no trust on first use).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

PROVISION_SCHEMA: Literal["signage.provision/1"] = "signage.provision/1"


class ProvisionedKey(TypedDict):
    key_id: str
    public_key: str


class ProvisionFile(TypedDict):
    schema: Literal["signage.provision/1"]
    controller: str  # the URL players reach the controller at
    screen: str
    token: str
    current_key: str
    keys: list[ProvisionedKey]
