"""How the processes start: the rasa server, the action server, the launcher of `make run`, the
production profile and its nginx template, training and the development .env."""
