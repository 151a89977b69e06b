"""Training code for the DeepFill v1 generator (see README.md)."""
