"""Bare boto3 baselines: one minimal hand-written handler per function, making the same AWS calls as the
product's (same operations, same items, same conditions) with nothing but boto3 and the standard library.
No validation, no authorization, no logging: what the product adds on top is what the bench measures."""
