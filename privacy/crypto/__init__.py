"""Encryption: sealing values under data keys, the key store that wraps them, and blind indexes."""
