"""Custom actions, one module per conversation area, served by the rasa-sdk action server."""
