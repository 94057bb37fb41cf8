"""What the visitor said and what we answer."""
