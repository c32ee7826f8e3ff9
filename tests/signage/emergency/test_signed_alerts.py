"""Where the deployment requires signed warnings (SIGNAGE_ALERT_SIGNERS), a message is taken only
with a valid XML signature by a trusted sender: unsigned, tampered with, or signed by another
key, it is refused with a 4xx and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

from signage.emergency.models import OfficialAlert
from tests.signage.emergency.test_alerts_api import XML, hall, moved, people  # noqa: F401


def sender(name: str) -> tuple[bytes, bytes]:
    """A key and a self-signed certificate for a warnings sender (PEM each)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.PEM),
    )


def signed(data: bytes, key: bytes, cert: bytes) -> bytes:
    root = etree.fromstring(data)
    return etree.tostring(XMLSigner().sign(root, key=key, cert=cert.decode()))


@pytest.fixture
def trusted(app, tmp_path):
    key, cert = sender("国家预警信息发布中心")
    path = tmp_path / "signers.pem"
    path.write_bytes(cert)
    app.config["SIGNAGE_ALERT_SIGNERS"] = str(path)
    return key, cert


def push(client, people, data):  # noqa: F811
    return client.post("/api/v1/alerts", data=data, headers=people["duty"] | XML)


def test_a_signed_warning_is_taken(client, people, hall, trusted):  # noqa: F811
    answer = push(client, people, signed(moved("a2_severe_thunderstorm.xml"), *trusted))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["outcome"] == "waiting"


def test_unsigned_tampered_or_foreign_warnings_are_refused(
    client,
    people,  # noqa: F811
    hall,  # noqa: F811
    trusted,
    db_session,
):
    data = moved("a2_severe_thunderstorm.xml")
    good = signed(data, *trusted)
    tampered = good.replace(b"SEVERE THUNDERSTORM WARNING", b"ALL CLEAR, GO OUTSIDE")
    foreign = signed(data, *sender("someone else"))
    for bad in (data, tampered, foreign):
        answer = push(client, people, bad)
        assert answer.status_code == 422, answer.get_json()
        assert answer.get_json()["error"]["field"] == "Signature"
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 0
