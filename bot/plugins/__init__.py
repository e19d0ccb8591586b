"""What the rasa server loads into Rasa itself: the encrypted tracker store, the lock store,
and the checks around calls to the action server (validation, failure)."""
