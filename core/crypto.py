"""Field encryption and keyed lookup hashes for sensitive identifiers (identity numbers).

Both keys derive from settings.FIELD_ENCRYPTION_KEY, which production sets in the
environment. The ciphertext (Fernet: AES-128-CBC + HMAC) is what the database holds; the
keyed hash (HMAC-SHA256) lets a number be found and kept unique without decrypting.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + b"\0" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"shouhu-field-encryption")))


def encrypt(plaintext: str) -> str:
    """Encrypt a short text; the result is ASCII and safe to store in a text column."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what `encrypt` produced; raises ValueError when the key does not fit."""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value: equal values give equal hashes, nothing else leaks."""
    return hmac.new(_derive(b"shouhu-lookup-hash"), value.encode(), hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file's content (an uploaded roster) with the field key."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Decrypt what `encrypt_bytes` produced."""
    if not token:
        return b""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token)
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value") from exc
