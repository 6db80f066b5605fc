"""Typed bindings of the test-only contracts in contracts/test/ (generated: `make bindings`)."""
