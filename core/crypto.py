"""Field encryption and keyed lookup hashes for sensitive identifiers (identity numbers).

Several encryption keys may be configured, newest first (settings.FIELD_ENCRYPTION_KEYS;
a single settings.FIELD_ENCRYPTION_KEY still works): values are encrypted under the newest
and decrypted under whichever fits (cryptography's MultiFernet), so a key can be rotated
with `manage.py rotate_field_keys` while the service runs. The ciphertext (Fernet:
AES-128-CBC + HMAC) is what the database holds.

The keyed hash (HMAC-SHA256) lets a number be found and kept unique without decrypting. It
is keyed by a separate, stable secret: settings.FIELD_LOOKUP_KEY, or when that is unset the
OLDEST encryption key (the last in the list; with one key, that key, as before). Why not the
newest: the hash is what the database's unique constraint and every search compare, so a
hash key that changed with each rotation would leave the registry half under one hash and
half under another until every row was rewritten, and searches and the duplicate check
would miss in between. The lookup key never decrypts anything; it only needs changing if it
leaked, and then `rotate_field_keys` re-hashes every value under the new one.
"""

import base64
import hashlib
import hmac
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


class UndecryptableError(ValueError):
    """No configured key decrypts the value (a wrong or lost key, or a damaged value)."""


def encryption_keys() -> tuple[str, ...]:
    """The configured field-encryption keys, newest first."""
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [settings.FIELD_ENCRYPTION_KEY]
    if isinstance(keys, str):
        keys = keys.split(",")
    keys = tuple(k.strip() for k in keys if k and k.strip())
    if not keys:
        raise UndecryptableError("no field-encryption key is configured")
    return keys


def lookup_key() -> str:
    """The secret of the lookup hash: FIELD_LOOKUP_KEY, else the oldest encryption key."""
    return getattr(settings, "FIELD_LOOKUP_KEY", "") or encryption_keys()[-1]


def _derive(purpose: bytes, key: str) -> bytes:
    return hashlib.sha256(purpose + b"\0" + key.encode()).digest()


def _fernet_of(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"shouhu-field-encryption", key)))


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet_of(key) for key in keys])


@lru_cache(maxsize=8)
def _newest(keys: tuple[str, ...]) -> Fernet:
    return _fernet_of(keys[0])


@lru_cache(maxsize=4)
def _lookup_secret(key: str) -> bytes:
    return _derive(b"shouhu-lookup-hash", key)


def encrypt(plaintext: str) -> str:
    """Encrypt a short text under the newest key; the result is ASCII, for a text column."""
    return _multi(encryption_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what `encrypt` produced under any configured key; raises UndecryptableError
    (a ValueError) when none fits."""
    try:
        return _multi(encryption_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableError(
            "cannot decrypt: no FIELD_ENCRYPTION_KEYS fits, or the value is damaged"
        ) from exc


def is_current(token: str | bytes) -> bool:
    """Whether a value is already encrypted under the newest key (rotation skips it)."""
    if isinstance(token, str):
        token = token.encode()
    try:
        _newest(encryption_keys()).decrypt(token)
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt a text value under the newest key (raises UndecryptableError if no key
    fits)."""
    try:
        return _multi(encryption_keys()).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableError("cannot decrypt: no FIELD_ENCRYPTION_KEYS fits") from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt a file's content under the newest key."""
    try:
        return _multi(encryption_keys()).rotate(bytes(token))
    except InvalidToken as exc:
        raise UndecryptableError("cannot decrypt: no FIELD_ENCRYPTION_KEYS fits") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value: equal values give equal hashes, nothing else leaks."""
    return hmac.new(_lookup_secret(lookup_key()), value.encode(), hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file's content (an uploaded roster) under the newest key."""
    return _multi(encryption_keys()).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Decrypt what `encrypt_bytes` produced."""
    if not token:
        return b""
    try:
        return _multi(encryption_keys()).decrypt(bytes(token))
    except InvalidToken as exc:
        raise UndecryptableError(
            "cannot decrypt: no FIELD_ENCRYPTION_KEYS fits, or the value is damaged"
        ) from exc


class Unreadable(str):
    """What a page or the API shows for a value no configured key decrypts, instead of
    failing: the text says so, and `unreadable` tells code apart from a real value."""

    unreadable = True


def decrypt_or_unreadable(token: str) -> str:
    """`decrypt`, or an `Unreadable` marker ("unreadable (key does not fit)") when no key
    fits: one lost key must not turn every page that shows the value into an error."""
    try:
        return decrypt(token)
    except UndecryptableError:
        logger.warning("A field value cannot be decrypted with the configured keys.")
        return Unreadable(gettext("unreadable (key does not fit)"))
