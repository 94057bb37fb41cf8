"""What the visitor said and what we answer: retrieval over the knowledge entries."""
