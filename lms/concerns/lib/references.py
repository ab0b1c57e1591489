"""Case references: short enough to read out on the phone, too many to guess.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), in two groups of five
after "BK-": 30**10, about 6 * 10**14, drawn by `secrets`. Nothing in a reference says anything
about the case, its date or its order.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "BK"
LENGTH = 10


def reference_new() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{PREFIX}-{code[:5]}-{code[5:]}"
