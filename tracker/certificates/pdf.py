"""The certificate as a one-page PDF: the credential, the holder's printed name, the issuing
program, dates, number and status, the staff member who signed it, and a QR code of the public
verification address, which is also printed as text for people without a scanner."""

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
from tracker.certificates.queries import PublicRecord

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


def font_directory() -> Path | None:
    """The folder of the Unicode font the PDFs use (None: the core fonts, Latin-1 only)."""
    configured = current_app.config.get("CERTIFICATE_FONT_DIR")
    for folder in ((configured,) if configured else ()) + FONT_DIRECTORIES:
        path = Path(folder)
        if all((path / name).is_file() for name in FONT_FILES.values()):
            return path
    return None


def latin1_text(text: str) -> str:
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
            value = latin1_text(value)
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


def render_certificate(cert: Certificate, record: PublicRecord, compress: bool = True) -> bytes:
    """The certificate as PDF bytes: the credential, holder, issuing program, dates, status on
    the day it is made (`record`, as the verification page shows it), the signatory, and the
    verification address as text and QR code; `compress=False` leaves the page content
    readable."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    pdf.set_title(f"Certificate {cert.number}")
    pdf.set_subject(f"{record.credential}, {record.issuer}")
    pdf.set_creator("KAP Certification Tracker")
    pdf.set_creation_date(cert.created_at)
    fonts = font_directory()
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

    pdf.set_y(22)
    page.text(record.issuer, 15, bold=True, height=8)
    pdf.ln(2)
    page.text("Certificate", 32, bold=True, height=15)
    pdf.ln(3)
    page.text("This certifies that", 12, height=8)
    page.text(record.holder, 26, bold=True, height=13)
    page.text("holds the credential", 12, height=8)
    page.text(record.credential, 19, bold=True, height=11)
    pdf.ln(3)
    page.text(
        f"Issued on {long_date(record.issued_on)}, certificate number {cert.number}", 11, height=6
    )
    if cert.expires_on is not None:
        page.text(f"Valid until {long_date(cert.expires_on)}", 11, height=6)
    page.text(_status_line(record), 11, height=6)
    if cert.revoked:
        # Only staff get a revoked certificate's PDF (for the file); it must not pass as current.
        pdf.set_text_color(170, 0, 0)
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(w=0, h=10, text="REVOKED", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)

    size = 38
    top = pdf.h - 18 - size
    left_width = pdf.w - 50 - size
    _signatory(pdf, cert, max(pdf.get_y() + 4, top - 10), fonts is not None)
    pdf.image(
        io.BytesIO(qr_png(record.verification_url)), x=pdf.w - 20 - size, y=top, w=size, h=size
    )
    pdf.set_xy(20, top + 20)
    pdf.set_font("Helvetica" if fonts is None else TEXT_FONT, "", 10)
    pdf.multi_cell(
        w=left_width,
        h=5,
        text="Check that this certificate is genuine and current at:",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    # One unbroken line (shrunk if need be), so the address can be read and typed as printed.
    url_text, url_size = latin1_text(record.verification_url), 10.0
    pdf.set_font(URL_FONT, "", url_size)
    while url_size > 5 and pdf.get_string_width(url_text) > left_width:
        url_size -= 0.5
        pdf.set_font(URL_FONT, "", url_size)
    pdf.set_x(20)
    pdf.cell(w=left_width, h=6, text=url_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _status_line(record: PublicRecord) -> str:
    """The status on the day the PDF is made, with the date since which it holds and the end
    of the current renewal cycle."""
    line = f"Status on {long_date(record.today)}: {record.label}"
    if record.since is not None:
        line += f" since {long_date(record.since)}"
    if record.cycle_ends_on is not None:
        line += f"; current renewal cycle ends {long_date(record.cycle_ends_on)}"
    return line


def _signatory(pdf: FPDF, cert: Certificate, y: float, unicode_font: bool) -> None:
    """The staff member who issued the certificate, under a signature line, with their job
    title when they have one."""
    signer = cert.issued_by
    if signer is None:  # the account was deleted; the issue date and number still stand
        return
    width = 90
    family = TEXT_FONT if unicode_font else "Helvetica"
    pdf.set_draw_color(40, 60, 90)
    pdf.line(20, y + 8, 20 + width, y + 8)
    pdf.set_xy(20, y + 9)
    for text, style, size in ((signer.full_name, "B", 11), (signer.job_title, "", 10)):
        if text:
            pdf.set_font(family, style, size)
            printable = text if unicode_font else latin1_text(text)
            pdf.cell(w=width, h=5, text=printable, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
