"""Tables of this area."""
