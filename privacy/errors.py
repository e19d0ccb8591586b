"""The vault's errors: each says what went wrong in one line a person can act on."""


class VaultError(Exception):
    """Base of every error the vault raises on purpose."""


class ConfigurationError(VaultError):
    """A key or setting is missing or does not match the key store."""


class SchemaBehind(VaultError):
    """The database schema is older than the code."""


class TamperedError(VaultError):
    """A ciphertext does not decrypt in its place: moved, copied or altered."""


class SubjectErased(VaultError):
    """The data belongs to a subject whose key was destroyed."""


class NotFound(VaultError):
    """No such record."""


class InvalidInput(VaultError):
    """A value (phone number, e-mail address, date...) is not valid."""


class Restricted(VaultError):
    """The data is kept only because the law requires it and may not be used otherwise."""
