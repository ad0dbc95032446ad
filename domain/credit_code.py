"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V); the last is a
check character computed from the first 17 with weights 3^i mod 31. A typo almost always breaks it,
which is why the form validates it before anything else.
"""

from __future__ import annotations

from domain.messages import Message

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"{first17!r}: need 17 characters from {ALPHABET}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> Message | None:
    """None if `code` is a valid credit code, else what is wrong with it (credit_code.* in the
    message catalog: its length, characters outside the alphabet, or the check character)."""
    c = code.strip().upper()
    if len(c) != 18:
        return Message.of("credit_code.length", length=len(c))
    bad = sorted({ch for ch in c if ch not in _VALUE})
    if bad:
        return Message.of("credit_code.characters", characters="".join(bad))
    expected = check_character(c[:17])
    if c[17] != expected:
        return Message.of("credit_code.check_character", found=c[17], expected=expected)
    return None


def make_credit_code(body17: str) -> str:
    return body17 + check_character(body17)
