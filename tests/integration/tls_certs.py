"""Test certificates for the TLS tests, made with the `openssl` command line.

Nothing here is a test. `make_certs(directory)` writes, in about a second:

- a root CA (EC P-256, "CN=Sluice Test CA") and an intermediate CA signed by it;
- the broker's RSA 2048 key and certificate (CN=localhost, subjectAltName
  IP:127.0.0.1 and DNS:localhost, serverAuth), signed by the root CA;
- key stores (one PEM file: private key + certificate chain) in several layouts:
  key first, certificate first, an encrypted PKCS#8 key (password "keypass"),
  a leaf signed by the intermediate followed by the intermediate, a traditional
  "EC PRIVATE KEY"; and broken ones: key only, certificate only, a key that does
  not match the certificate, garbage;
- a client certificate "CN=client1,OU=test,O=sluice" (clientAuth) signed by the
  root CA, another one ("CN=client2,...") signed by the intermediate CA (its PEM holds
  the leaf then the intermediate), a "rogue" CA with its own client certificate that
  the broker does not trust, and a trust store holding the rogue CA then the root CA.

Every openssl call has a time limit; a failure raises with openssl's stderr.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL_TIMEOUT_S = 30
KEY_PASSWORD = "keypass"
CLIENT_DN = "CN=client1,OU=test,O=sluice"          # RFC 2253 order, as Kafka prints it
CLIENT_SUBJ = "/O=sluice/OU=test/CN=client1"       # the same name for `openssl -subj`
CLIENT2_DN = "CN=client2,OU=test,O=sluice"
CLIENT2_SUBJ = "/O=sluice/OU=test/CN=client2"
ROGUE_DN = "CN=rogue,OU=test,O=sluice"
ROGUE_SUBJ = "/O=sluice/OU=test/CN=rogue"


def openssl(*args, cwd=None, input=None):
    cmd = ["openssl", *map(str, args)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=OPENSSL_TIMEOUT_S,
                           cwd=cwd, input=input)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"{' '.join(cmd)} did not finish within {OPENSSL_TIMEOUT_S}s") from None
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr}")
    return r.stdout


@dataclass
class Certs:
    dir: Path
    ca: Path                 # root CA certificate (what clients trust; the broker's truststore)
    ca_key: Path
    intermediate: Path       # intermediate CA certificate, signed by the root
    broker_cert: Path
    broker_key: Path         # unencrypted PKCS#8 RSA key
    broker_key_encrypted: Path  # the same key, PKCS#8 encrypted with KEY_PASSWORD
    client_cert: Path        # CLIENT_DN, signed by the root CA
    client_key: Path
    client2_chain: Path      # CLIENT2_DN signed by the intermediate, then the intermediate
    client2_key: Path
    rogue_ca: Path
    rogue_cert: Path         # ROGUE_DN, signed by the rogue CA
    rogue_key: Path
    truststore_two_cas: Path  # the rogue CA, then the root CA
    # key stores (one PEM file each)
    keystore_key_first: Path
    keystore_cert_first: Path
    keystore_encrypted: Path
    keystore_chain: Path     # leaf signed by the intermediate + the intermediate
    keystore_ec_traditional: Path
    keystore_key_only: Path
    keystore_cert_only: Path
    keystore_mismatch: Path
    keystore_garbage: Path

    def read(self, name):
        return getattr(self, name).read_text()


def _ca(d, name, subj, key_alg, parent=None):
    key = d / f"{name}.key"
    cert = d / f"{name}.pem"
    _genkey(key, key_alg)
    if parent is None:
        openssl("req", "-x509", "-new", "-key", key, "-out", cert, "-days", "30", "-subj", subj,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash")
    else:
        _sign(d, name, key, cert, subj, parent,
              ["basicConstraints=critical,CA:TRUE,pathlen:0",
               "keyUsage=critical,keyCertSign,cRLSign",
               "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"])
    return cert, key


def _genkey(path, alg):
    if alg == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    else:
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)


def _sign(d, name, key, cert, subj, parent, extensions):
    ca_cert, ca_key = parent
    csr = d / f"{name}.csr"
    ext = d / f"{name}.ext"
    ext.write_text("\n".join(extensions) + "\n")
    openssl("req", "-new", "-key", key, "-out", csr, "-subj", subj)
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "30", "-sha256", "-extfile", ext)


def _leaf(d, name, subj, parent, usage, san=None, key_alg="rsa"):
    key = d / f"{name}.key"
    cert = d / f"{name}.pem"
    _genkey(key, key_alg)
    exts = ["basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            f"extendedKeyUsage={usage}",
            "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
    if san:
        exts.append(f"subjectAltName={san}")
    _sign(d, name, key, cert, subj, parent, exts)
    return cert, key


def _cat(path, *parts):
    path.write_text("".join(p.read_text() if isinstance(p, Path) else p for p in parts))
    return path


BROKER_SAN = "IP:127.0.0.1,DNS:localhost"


def make_certs(directory):
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    root = _ca(d, "ca", "/O=sluice/CN=Sluice Test CA", "ec")
    inter = _ca(d, "intermediate", "/O=sluice/CN=Sluice Test Intermediate CA", "ec", parent=root)
    rogue = _ca(d, "rogue-ca", "/O=rogue/CN=Rogue CA", "ec")

    broker_cert, broker_key = _leaf(d, "broker", "/O=sluice/CN=localhost", root, "serverAuth",
                                    san=BROKER_SAN)
    enc_key = d / "broker-encrypted.key"
    openssl("pkcs8", "-topk8", "-in", broker_key, "-out", enc_key, "-v2", "aes-256-cbc",
            "-passout", f"pass:{KEY_PASSWORD}")
    assert "ENCRYPTED PRIVATE KEY" in enc_key.read_text()

    chain_cert, chain_key = _leaf(d, "broker-via-intermediate", "/O=sluice/CN=localhost", inter,
                                  "serverAuth", san=BROKER_SAN)
    ec_cert, ec_key = _leaf(d, "broker-ec", "/O=sluice/CN=localhost", root, "serverAuth",
                            san=BROKER_SAN, key_alg="ec")
    ec_traditional = d / "broker-ec-traditional.key"
    openssl("ec", "-in", ec_key, "-out", ec_traditional)
    assert "BEGIN EC PRIVATE KEY" in ec_traditional.read_text()

    client_cert, client_key = _leaf(d, "client1", CLIENT_SUBJ, root, "clientAuth")
    rogue_cert, rogue_key = _leaf(d, "rogue-client", ROGUE_SUBJ, rogue, "clientAuth")
    client2_cert, client2_key = _leaf(d, "client2", CLIENT2_SUBJ, inter, "clientAuth")
    other_key = d / "other.key"
    _genkey(other_key, "rsa")

    return Certs(
        dir=d, ca=root[0], ca_key=root[1], intermediate=inter[0],
        broker_cert=broker_cert, broker_key=broker_key, broker_key_encrypted=enc_key,
        client_cert=client_cert, client_key=client_key,
        client2_chain=_cat(d / "client2-chain.pem", client2_cert, inter[0]),
        client2_key=client2_key,
        rogue_ca=rogue[0], rogue_cert=rogue_cert, rogue_key=rogue_key,
        truststore_two_cas=_cat(d / "truststore-two-cas.pem", rogue[0], root[0]),
        keystore_key_first=_cat(d / "keystore-key-first.pem", broker_key, broker_cert),
        keystore_cert_first=_cat(d / "keystore-cert-first.pem", broker_cert, broker_key),
        keystore_encrypted=_cat(d / "keystore-encrypted.pem", enc_key, broker_cert),
        keystore_chain=_cat(d / "keystore-chain.pem", chain_key, chain_cert, inter[0]),
        keystore_ec_traditional=_cat(d / "keystore-ec-traditional.pem", ec_traditional, ec_cert),
        keystore_key_only=_cat(d / "keystore-key-only.pem", broker_key),
        keystore_cert_only=_cat(d / "keystore-cert-only.pem", broker_cert),
        keystore_mismatch=_cat(d / "keystore-mismatch.pem", other_key, broker_cert),
        keystore_garbage=_cat(d / "keystore-garbage.pem", "-----BEGIN PRIVATE KEY-----\n"
                              "bm90IGEga2V5\n-----END PRIVATE KEY-----\n"),
    )
