"""The clinic's own data: providers and hours, appointments, tickets for staff, staff accounts."""
