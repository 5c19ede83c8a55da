"""The bucketing hash that every Unleash SDK shares.

A user's bucket is murmur3 (32-bit, unsigned) of ``"{group_id}:{identifier}"``, reduced to
``1..modulus``. Because the bucket depends only on the group and the identifier, a user who is
inside a 10% rollout is still inside when the rollout is raised to 50%.
"""

from mmh3 import hash as _murmur3

STRATEGY_SEED = 0
VARIANT_SEED = 86028157


def normalized_hash(identifier: str, group_id: str, modulus: int = 100, seed: int = 0) -> int:
    """Return the bucket, from 1 to ``modulus``, that ``identifier`` falls into for ``group_id``."""
    return _murmur3(f"{group_id}:{identifier}", seed, False) % modulus + 1
