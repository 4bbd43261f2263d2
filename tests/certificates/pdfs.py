"""Reading a certificate PDF as a person (or a phone) would: its text, and its QR code decoded
from the embedded image by a maintained barcode decoder (zxing-cpp)."""

from __future__ import annotations

import io

import zxingcpp
from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The text of every page, as a PDF reader extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def qr_codes(content: bytes) -> list[str]:
    """What the QR codes among the PDF's images decode to."""
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            picture = image.image.convert("L")  # greyscale: what a camera would hand a decoder
            found += [code.text for code in zxingcpp.read_barcodes(picture)]
    return found
