"""Password hashing (argon2id with the library's current parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.field_names import too_long
from frontdesk.i18n.text import nT_

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()

# Verified when the account does not exist, so a wrong address costs as long as a wrong
# password and timing does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.single(
            "password",
            nT_(
                "The password must be at least {count} character long.",
                "The password must be at least {count} characters long.",
                MIN_PASSWORD_LENGTH,
            ),
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.single("password", too_long("password", MAX_PASSWORD_LENGTH))


def hash_password(password: str) -> str:
    validate_password(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
