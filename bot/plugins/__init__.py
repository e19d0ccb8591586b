"""What the rasa server loads into Rasa itself: the encrypted tracker store, the lock store, the
checks around calls to the action server (validation, failure) and its structured log lines
without payloads; and the library log messages every server rewrites without conversation data."""
