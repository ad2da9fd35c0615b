"""The shared upload checks (keneya.core.uploads): the type comes from the bytes, not the name."""

from __future__ import annotations

import pytest

from keneya.core.uploads import sniff


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "application/octet-stream"),
        (b"GIF89a", "application/octet-stream"),
        (b"MZ\x90\x00", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_the_type_is_read_from_the_first_bytes(head, kind):
    assert sniff(head) == kind
