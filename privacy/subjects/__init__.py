"""Data subjects and what is kept about them: patients, health records, conversations, identity checks."""
