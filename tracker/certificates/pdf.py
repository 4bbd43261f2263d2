"""The certificate as a one-page PDF: printed name, program, dates, number, and a QR code of the
public verification address, which is also printed as text for people without a scanner."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import segno
from flask import current_app
from fpdf import FPDF
from fpdf.enums import Align
from fpdf.enums import XPos
from fpdf.enums import YPos

from tracker.certificates.models import Certificate

# A Unicode font lets any name print as written; the PDF core fonts only know Latin-1.
FONT_DIRECTORIES = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
TEXT_FONT = "certificate"
URL_FONT = "Courier"  # the address is ASCII; a core font keeps it as plain text in the file


def _font_directory() -> Path | None:
    configured = current_app.config.get("CERTIFICATE_FONT_DIR")
    for folder in ((configured,) if configured else ()) + FONT_DIRECTORIES:
        path = Path(folder)
        if all((path / name).is_file() for name in FONT_FILES.values()):
            return path
    return None


def _latin1(text: str) -> str:
    """Text the core fonts can print: accents kept where Latin-1 has them, else dropped."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        return unicodedata.normalize("NFC", stripped).encode("latin-1", "replace").decode("latin-1")
    return text


def long_date(day: date) -> str:
    """A date as printed on the certificate: 27 November 2026."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


class _Page:
    """Writes centred lines on a landscape A4 page with the chosen text font."""

    def __init__(self, pdf: FPDF, unicode_font: bool) -> None:
        self.pdf = pdf
        self.unicode_font = unicode_font

    def text(self, value: str, size: float, bold: bool = False, height: float = 10) -> None:
        """A centred line, shrunk to fit the page width when needed."""
        pdf = self.pdf
        family = TEXT_FONT if self.unicode_font else "Helvetica"
        if not self.unicode_font:
            value = _latin1(value)
        style = "B" if bold else ""
        width = pdf.w - pdf.l_margin - pdf.r_margin
        pdf.set_font(family, style, size)
        while size > 10 and pdf.get_string_width(value) > width:
            size -= 1
            pdf.set_font(family, style, size)
        pdf.cell(w=width, h=height, text=value, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a PNG image, made in memory."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def render_certificate(cert: Certificate, verification_url: str, compress: bool = True) -> bytes:
    """The certificate as PDF bytes; `compress=False` leaves the page content readable."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    pdf.set_title(f"Certificate {cert.number}")
    pdf.set_subject(cert.program_name)
    pdf.set_creator("KAP Certification Tracker")
    pdf.set_creation_date(cert.created_at)
    fonts = _font_directory()
    if fonts is not None:
        for style, name in FONT_FILES.items():
            pdf.add_font(TEXT_FONT, style, str(fonts / name))
    pdf.add_page()
    page = _Page(pdf, unicode_font=fonts is not None)

    pdf.set_draw_color(40, 60, 90)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    pdf.set_y(26)
    page.text(cert.program_name, 16, bold=True)
    pdf.ln(4)
    page.text("Certificate", 34, bold=True, height=16)
    pdf.ln(6)
    page.text("This certifies that", 13)
    pdf.ln(2)
    page.text(cert.printed_name, 28, bold=True, height=14)
    pdf.ln(2)
    page.text("has completed the requirements of the certification program", 13)
    page.text(cert.program_name, 16, bold=True)
    pdf.ln(6)
    page.text(f"Issued on {long_date(cert.issued_on)}", 12, height=7)
    if cert.expires_on is not None:
        page.text(f"Valid until {long_date(cert.expires_on)}", 12, height=7)
    page.text(f"Certificate number {cert.number}", 12, height=7)
    if cert.revoked:
        # Only staff get a revoked certificate's PDF (for the file); it must not pass as current.
        pdf.set_text_color(170, 0, 0)
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(w=0, h=10, text="REVOKED", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)

    size = 38
    top = pdf.h - 18 - size
    pdf.image(io.BytesIO(qr_png(verification_url)), x=pdf.w - 20 - size, y=top, w=size, h=size)
    pdf.set_xy(20, top + 8)
    pdf.set_font("Helvetica" if fonts is None else TEXT_FONT, "", 10)
    pdf.multi_cell(
        w=pdf.w - 50 - size,
        h=5,
        text="Check that this certificate is genuine and current at:",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    # One unbroken line (shrunk if need be), so the address can be read and typed as printed.
    url_text, url_width, url_size = _latin1(verification_url), pdf.w - 50 - size, 10.0
    pdf.set_font(URL_FONT, "", url_size)
    while url_size > 5 and pdf.get_string_width(url_text) > url_width:
        url_size -= 0.5
        pdf.set_font(URL_FONT, "", url_size)
    pdf.set_x(20)
    pdf.cell(w=url_width, h=6, text=url_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
