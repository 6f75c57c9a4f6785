"""A specialist's sessions today."""
