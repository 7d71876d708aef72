"""OASIS CAP 1.2 alerts for the parties' duty officers, signed by the mission.

A message is scope Restricted and addressed to the duty officer of the party an
incident is attributed to (both parties' when unattributed), so a digest holds
only incidents of one audience: no party reads of the other's incidents in it.

Messages carry an enveloped XML signature (W3C XML-DSig, which CAP 1.2's schema
admits as the alert's last element) with the mission's alert key and its X.509
certificate. The ledger's keys are Ed25519, which XML-DSig libraries do not
sign with (signxml offers RSA, ECDSA, DSA and HMAC), and CAP recipients expect
a certificate; so alerts have their own RSA or ECDSA key and certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, VerifyResult, XMLSigner, XMLVerifier

from accord.service.auth import PARTIES
from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import State, incident_ref

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "accord-mission@monitoring.invalid"
CAP_SEVERITY = {"low": "Minor", "medium": "Moderate", "high": "Severe", "critical": "Extreme"}
RESTRICTION = "For the parties' duty officers under the ceasefire agreement"


class AlertKeyError(ValueError):
    """The configured alert key or certificate cannot sign CAP messages."""


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, numeric offset, UTC written -00:00 (CAP 1.2, 3.3.2)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def data_time(row: StoredIncident) -> datetime:
    """The incident's own time: when its latest evidence was observed."""
    return datetime.fromtimestamp(row.last_seen_us / 1e6, UTC)


def audience(row: StoredIncident) -> tuple[str, ...]:
    """The parties whose duty officers an alert about the incident goes to."""
    return (row.party,) if row.party in PARTIES else tuple(PARTIES)


@dataclass(frozen=True)
class Due:
    """An incident due an alert, and why."""

    incident: StoredIncident
    reason: str


@dataclass(frozen=True)
class CapSigner:
    """The mission's alert key and certificate (PEM)."""

    key_pem: bytes
    cert_pem: bytes
    method: SignatureMethod

    @classmethod
    def from_files(cls, key_path: str, cert_path: str) -> CapSigner:
        """Load the key and certificate, refusing a pair that cannot sign CAP (AlertKeyError)."""
        try:
            key_pem, cert_pem = Path(key_path).read_bytes(), Path(cert_path).read_bytes()
        except OSError as exc:
            raise AlertKeyError(f"alert signing key or certificate unreadable: {exc}") from exc
        try:
            key = load_pem_private_key(key_pem, password=None)
            cert = x509.load_pem_x509_certificate(cert_pem)
        except ValueError as exc:
            raise AlertKeyError(
                f"{key_path} or {cert_path}: not a PEM key and certificate"
            ) from exc
        if isinstance(key, rsa.RSAPrivateKey):
            method = SignatureMethod.RSA_SHA256
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            method = SignatureMethod.ECDSA_SHA256
        else:
            raise AlertKeyError(f"{key_path}: XML signatures of CAP need an RSA or ECDSA key")
        if _spki(cert.public_key()) != _spki(key.public_key()):
            raise AlertKeyError(f"{cert_path} is not the certificate of the key {key_path}")
        return cls(key_pem, cert_pem, method)

    def sign(self, alert: etree._Element) -> bytes:
        """The alert as a signed XML document (enveloped XML-DSig, SHA-256)."""
        signer = XMLSigner(signature_algorithm=self.method, digest_algorithm=DigestAlgorithm.SHA256)
        signed = signer.sign(alert, key=self.key_pem, cert=self.cert_pem.decode())
        return bytes(etree.tostring(signed, encoding="utf-8", xml_declaration=True))

    def verify(self, document: bytes) -> etree._Element:
        """Check a signed alert against this signer's certificate, as a recipient would."""
        return verify_cap(document, self.cert_pem)


def verify_cap(document: bytes, cert_pem: bytes) -> etree._Element:
    """The signed alert, checked against the certificate; raises signxml's
    InvalidSignature when anything signed was changed."""
    result = XMLVerifier().verify(document, x509_cert=cert_pem.decode())
    assert isinstance(result, VerifyResult)  # one signature expected, one result
    signed: etree._Element = result.signed_xml
    return signed


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{CAP_NS}}}{name}").text = text


def _alert(
    identifier: str, now: datetime, parties: Sequence[str], refs: Sequence[str]
) -> etree._Element:
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    for name, text in (
        ("identifier", identifier),
        ("sender", SENDER),
        ("sent", cap_time(now)),
        ("status", "Actual"),
        ("msgType", "Alert"),
        ("scope", "Restricted"),
        ("restriction", RESTRICTION),
        ("addresses", " ".join(f"duty-officer-{p}" for p in parties)),
        ("incidents", " ".join(refs)),
    ):
        _add(alert, name, text)
    return alert


def _summary(row: StoredIncident) -> str:
    ref = incident_ref(row.id)
    return (
        f"{ref}, breach of {row.term_id} ({row.rule_id}); "
        f"last seen {data_time(row):%Y-%m-%d %H:%M}Z; "
        f"attributed to {row.party or 'no party'} ({row.party_confidence:.2f}): "
        f"{row.attribution}; confidence {row.confidence:.2f}; state {row.state}."
    )


def _area(info: etree._Element, row: StoredIncident, label: str) -> None:
    area = etree.SubElement(info, f"{{{CAP_NS}}}area")
    _add(area, "areaDesc", label)
    _add(area, "circle", f"{row.lat:.5f},{row.lon:.5f} 2.0")


def cap_message(due: Due, now: datetime, signer: CapSigner) -> bytes:
    """The signed CAP 1.2 alert for one incident."""
    row = due.incident
    ref = incident_ref(row.id)
    alert = _alert(f"accord-{ref}-{int(now.timestamp())}", now, audience(row), [ref])
    info = etree.SubElement(alert, f"{{{CAP_NS}}}info")
    severity = Severity(row.severity).name
    for name, text in (
        ("language", "en"),
        ("category", "Security"),
        ("event", f"Ceasefire violation: {row.term_id}"),
        ("urgency", "Immediate" if row.state == State.referred else "Expected"),
        ("severity", CAP_SEVERITY[severity]),
        ("certainty", "Observed" if row.confirmed else "Likely"),
        ("onset", cap_time(data_time(row))),
        ("senderName", "accord monitoring mission"),
        ("headline", f"{ref}: {row.kind} in sector {row.sector} ({due.reason})"),
        ("description", _summary(row)),
    ):
        _add(info, name, text)
    for name, value in (("incident", ref), ("state", row.state), ("party", row.party or "")):
        parameter = etree.SubElement(info, f"{{{CAP_NS}}}parameter")
        _add(parameter, "valueName", name)
        _add(parameter, "value", value)
    _area(info, row, f"sector {row.sector}")
    return signer.sign(alert)


def cap_digest(dues: Sequence[Due], now: datetime, signer: CapSigner) -> bytes:
    """One signed CAP 1.2 alert summarising incidents of one audience: the most urgent
    and severe of them set the message's urgency and severity, each has its line and
    its area."""
    rows = [d.incident for d in dues]
    parties = audience(rows[0])
    if any(audience(r) != parties for r in rows):
        raise ValueError("a digest holds the incidents of one audience only")
    refs = [incident_ref(r.id) for r in rows]
    identifier = f"accord-digest-{'-'.join(parties)}-{int(now.timestamp())}"
    alert = _alert(identifier, now, parties, refs)
    info = etree.SubElement(alert, f"{{{CAP_NS}}}info")
    worst = Severity(max(r.severity for r in rows)).name
    referred = sum(r.state == State.referred for r in rows)
    sectors = sorted({r.sector for r in rows})
    where = f"sectors {', '.join(sectors)}" if len(sectors) <= 4 else f"{len(sectors)} sectors"
    lines = [f"{_summary(d.incident)} Alerted for: {d.reason}." for d in dues]
    for name, text in (
        ("language", "en"),
        ("category", "Security"),
        ("event", "Ceasefire violations"),
        ("urgency", "Immediate" if referred else "Expected"),
        ("severity", CAP_SEVERITY[worst]),
        ("certainty", "Observed" if all(r.confirmed for r in rows) else "Likely"),
        ("onset", cap_time(min(data_time(r) for r in rows))),
        ("senderName", "accord monitoring mission"),
        (
            "headline",
            f"{len(rows)} incidents ({referred} referred) in {where}",
        ),
        ("description", "\n".join(lines)),
    ):
        _add(info, name, text)
    for row in rows:
        _area(info, row, f"{incident_ref(row.id)}, sector {row.sector}")
    return signer.sign(alert)
