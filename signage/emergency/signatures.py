"""Signed warnings: where the deployment requires it (``SIGNAGE_ALERT_SIGNERS``, a PEM file of
the senders' X.509 certificates), a message is taken only with a valid enveloped XML signature
(W3C XML-DSig, which CAP 1.2 names for signing) by one of them, checked with ``signxml``.

What is read afterwards is what the signature covers, never the message as it came: a message
with a valid signature over one element and another element beside it (signature wrapping) is
read as the signed element alone.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lxml import etree
from signxml import InvalidInput as SignatureFormat
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature

from signage.emergency.warnings import WarningFormatError

PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


@functools.lru_cache(maxsize=4)
def certificates(path: str) -> tuple[str, ...]:
    """The certificates in the PEM file at ``path`` (read once per process)."""
    found = tuple(m.decode() for m in PEM.findall(Path(path).read_bytes()))
    if not found:
        raise ValueError(f"SIGNAGE_ALERT_SIGNERS: no certificate in {path}")
    return found


def verified(data: bytes, signers: str) -> bytes:
    """The signed part of ``data`` when it carries a valid signature by one of the
    certificates in ``signers`` (a file); raise :class:`WarningFormatError` otherwise."""
    if b"Signature" not in data:
        raise WarningFormatError(
            "this deployment takes signed warnings only: the message carries no signature",
            field="Signature",
        )
    last: Exception | None = None
    for cert in certificates(signers):
        try:
            result = XMLVerifier().verify(data, x509_cert=cert)
        except (InvalidSignature, SignatureFormat, etree.XMLSyntaxError) as exc:
            last = exc
            continue
        signed = result.signed_xml
        if signed is None:
            break
        return bytes(etree.tostring(signed, encoding="utf-8"))
    raise WarningFormatError(
        f"the message's signature is not valid by a trusted sender: {last}", field="Signature"
    )
