"""The Bitstring Status List encoding (W3C): a bitstring whose index 0 is the left-most bit of
its first byte, GZIP-compressed, as multibase base64url (`u...`)."""

from __future__ import annotations

import gzip

from tracker.credentials.multibase import decode_u
from tracker.credentials.multibase import encode_u

# The specification's privacy minimum: 16 KB, so that a list hides which entry is whose.
MIN_ENTRIES = 131_072


def encode(set_indexes: set[int] | list[int], size: int = MIN_ENTRIES) -> str:
    """The `encodedList` of a bitstring of `size` bits with the bits at `set_indexes` set."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same text.
    return encode_u(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList`; ValueError when it is not one."""
    try:
        return gzip.decompress(decode_u(encoded))
    except (OSError, EOFError) as error:
        raise ValueError(f"not a GZIP-compressed bitstring: {error}") from None


def bit(bitstring: bytes, index: int) -> bool:
    """The bit at `index` (0 is the left-most bit of the first byte)."""
    if not 0 <= index < len(bitstring) * 8:
        raise IndexError(index)
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
