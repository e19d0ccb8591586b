"""How the processes start: the rasa server, the action server, the launcher of `make run`, the production profile, training and the development .env."""
