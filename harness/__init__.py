"""What the tests and the benchmarks share: servers, databases, a Twilio stand-in, simulated
patients, the evaluation sets, and the size check."""
