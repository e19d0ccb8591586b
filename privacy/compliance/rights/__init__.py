"""Data-subject requests from receipt to outcome, how each right is carried out, and the copies delivered."""
