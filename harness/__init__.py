"""What the tests and the benchmarks share: servers, databases, a Twilio stand-in, simulated patients and the evaluation sets."""
