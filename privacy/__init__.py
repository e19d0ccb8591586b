"""The vault: encrypted storage of patients' personal and health data, the key store,
blind indexes, audit trail, backups and the encrypted conversation history.

It imports nothing from Rasa: the actions, the channels, the staff console and the
command line (python -m privacy) all use it through `Vault`.
"""

from privacy.errors import VaultError
from privacy.vault import Vault, shared_vault

__all__ = ["Vault", "VaultError", "shared_vault"]
