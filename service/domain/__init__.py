"""The pure domain: decide(state, command) -> events, evolve(state, event) -> state. No I/O."""
