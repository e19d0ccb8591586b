"""Input and output channels the rasa server loads from credentials.yml."""
