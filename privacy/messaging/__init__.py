"""Messages to and from patients: the outbox, SMS senders and their choices, received SMS and their leases."""
