"""A throwaway certificate authority and a server certificate for localhost, for TLS tests."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class TlsFiles:
    ca_pem: str
    ca_file: Path
    cert_file: Path
    key_file: Path
    client_cert_pem: str = ""
    client_key_pem: str = ""


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: str, public_key) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1)))


def make_tls_files(folder: Path) -> TlsFiles:
    """A CA, a certificate for localhost and 127.0.0.1 (files), and a client one (PEM)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (_builder("Herald Test CA", "Herald Test CA", ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server_cert, server_key = _leaf("localhost", names, ca_key)
    client_cert, client_key = _leaf("herald-client", [x509.DNSName("herald-client")], ca_key)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode()
    files = TlsFiles(ca_pem, folder / "ca.pem", folder / "server.pem", folder / "server.key",
                     client_cert, client_key)
    files.ca_file.write_text(ca_pem)
    files.cert_file.write_text(server_cert)
    files.key_file.write_text(server_key)
    return files


def _leaf(name: str, alt_names: list[x509.GeneralName], ca_key) -> tuple[str, str]:
    """A certificate for name signed by the CA, and its key, both as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(name, "Herald Test CA", key.public_key())
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()
