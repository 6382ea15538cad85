"""Is this a JPEG, and how large is it? A walk over the marker segments, no image library.

Screenshots come from kiosks, which are untrusted clients: the bytes stored and later served
to the admin's browser as ``image/jpeg`` must be a JPEG, not HTML or a script in disguise.
The check is structural: start of image, well-formed segments up to a frame header (which
gives the size), a start of scan, and the end-of-image marker as the last two bytes.
"""

import struct

SOI = b"\xff\xd8"
EOI = b"\xff\xd9"
# Start-of-frame markers (baseline, progressive, lossless, arithmetic...); C4, C8, CC are not.
SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
SOS = 0xDA
STANDALONE = {0x01} | set(range(0xD0, 0xD8))  # TEM and RSTn carry no length


def dimensions(data):
    """``(width, height)`` of a well-formed JPEG, or None if ``data`` is not one."""
    if not isinstance(data, (bytes, bytearray)) or len(data) < 8:
        return None
    if data[:2] != SOI or data[-2:] != EOI:
        return None
    size = None
    pos = 2
    end = len(data) - 2
    while pos < end:
        if data[pos] != 0xFF:
            return None
        while pos < end and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= end:
            return None
        marker = data[pos]
        pos += 1
        if marker in STANDALONE:
            continue
        if marker in (0x00, 0xD8, 0xD9):
            return None
        if pos + 2 > end:
            return None
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > end:
            return None
        if marker in SOF_MARKERS:
            if length < 8:
                return None
            height, width = struct.unpack(">HH", data[pos + 3:pos + 7])
            if width == 0 or height == 0:
                return None
            size = (width, height)
        if marker == SOS:
            # Entropy-coded data follows, up to the EOI checked above.
            return size
        pos += length
    return None
