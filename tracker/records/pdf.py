"""The hours transcript as a PDF, drawn from the stored transcript record's content (never from
the live records), so every copy states exactly what the record's fingerprint binds. Each page
carries the record's verification code and the address where a board checks it."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos
from fpdf.enums import YPos
from fpdf.fonts import FontFace

from tracker.certificates.pdf import FONT_FILES
from tracker.certificates.pdf import font_directory
from tracker.certificates.pdf import latin1_text
from tracker.records.models import TranscriptRecord

TEXT_FONT = "transcript"
STEP_STATUS_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "waived": "Waived",
    "blocked": "Blocked",
}


class _TranscriptPDF(FPDF):
    """A portrait A4 document whose footer prints the verification code on every page."""

    def __init__(self, code: str, address: str, unicode_font: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.code = code
        self.address = address
        self.unicode_font = unicode_font

    def say(self, text: str) -> str:
        """Text the chosen font can print."""
        return text if self.unicode_font else latin1_text(text)

    def use(self, style: str = "", size: float = 10) -> None:
        """Select the text font."""
        self.set_font(TEXT_FONT if self.unicode_font else "Helvetica", style, size)

    def footer(self) -> None:
        """The verification code and address, and the page number."""
        self.set_y(-16)
        self.use("", 8)
        self.cell(
            w=0,
            h=4,
            text=f"Transcript verification code: {self.code}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_font("Courier", "", 7.5)
        self.cell(w=0, h=4, text=latin1_text(self.address), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.use("", 8)
        self.cell(w=0, h=4, text=f"Page {self.page_no()} of {{nb}}", align="R")


def _heading(pdf: _TranscriptPDF, text: str) -> None:
    pdf.ln(3)
    pdf.use("B", 12)
    pdf.cell(w=0, h=7, text=pdf.say(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _line(pdf: _TranscriptPDF, text: str, size: float = 10, style: str = "") -> None:
    pdf.use(style, size)
    pdf.multi_cell(w=0, h=5, text=pdf.say(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: _TranscriptPDF, headings: tuple[str, ...], rows: list[tuple[Any, ...]], widths):
    pdf.use("", 9)
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
        padding=1,
        first_row_as_headings=True,
    ) as table:
        row = table.row()
        for heading in headings:
            row.cell(pdf.say(heading))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(pdf.say("" if value is None else str(value)))


def _met(done: str, required: str) -> str:
    short = float(required) - float(done)
    return "Met" if short <= 0 else f"Short by {short:g}"


def render_transcript(transcript: TranscriptRecord, address: str, compress: bool = True) -> bytes:
    """The transcript of `transcript`'s stored content as PDF bytes; `address` is the public
    verification address printed on every page."""
    stated = transcript.stated
    fonts = font_directory()
    pdf = _TranscriptPDF(transcript.code, address, unicode_font=fonts is not None)
    pdf.set_compression(compress)
    if fonts is not None:
        for style, name in FONT_FILES.items():
            pdf.add_font(TEXT_FONT, style, str(fonts / name))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(f"Hours transcript: {stated['trainee']}")
    pdf.set_creator("KAP Certification Tracker")
    pdf.set_creation_date(transcript.generated_at)
    pdf.add_page()

    pdf.use("B", 18)
    pdf.cell(w=0, h=10, text="Hours transcript", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _line(pdf, stated["trainee"], 13, "B")
    program = stated["program"] + (f", {stated['track']}" if stated.get("track") else "")
    _line(pdf, f"{program} (enrollment {stated['enrollment']})")
    _line(
        pdf,
        f"Generated {transcript.generated_at.strftime('%Y-%m-%d %H:%M UTC')} by "
        f"{transcript.generated_by_name}. Content fingerprint (SHA-256): {transcript.fingerprint}",
        8,
    )

    program_hours = stated.get("program_hours")
    if program_hours:
        _heading(pdf, "Training hours")
        _line(
            pdf,
            f"Verified didactic and experiential hours: {program_hours['verified']} of "
            f"{program_hours['required']} required "
            f"({_met(program_hours['verified'], program_hours['required'])}).",
        )
    didactic = stated.get("didactic")
    if didactic:
        _heading(pdf, "Didactic training by topic")
        rows = [
            (t["name"], t["verified"], t["minimum"], _met(t["verified"], t["minimum"]))
            for t in didactic["topics"]
        ]
        rows.append(
            (
                "All topics",
                didactic["verified"],
                didactic["required"],
                _met(didactic["verified"], didactic["required"]),
            )
        )
        _table(pdf, ("Topic", "Verified hours", "Required", "Status"), rows, (90, 30, 25, 29))
    experiential = stated.get("experiential")
    if experiential:
        _heading(pdf, "Experiential learning")
        rows = [
            (
                k["name"],
                k["hours"],
                k["count"],
                "None" if k["required_count"] is None else k["required_count"],
            )
            for k in experiential["kinds"]
        ]
        rows.append(("All activities", experiential["verified"], "", experiential["required"]))
        _table(
            pdf,
            ("Activity", "Verified hours", "Verified count", "Required"),
            rows,
            (80, 30, 32, 32),
        )
    sessions = stated.get("sessions")
    if sessions:
        _heading(pdf, "Supervised sessions")
        _line(pdf, f"Signed sessions that count: {sessions['counted']} of {sessions['required']}.")
        if sessions["signed"]:
            _table(
                pdf,
                ("Date", "Role and mode", "Minutes", "Supervisor", "Signed"),
                [
                    (
                        s["on"],
                        f"{s['role']}, {s['mode'].lower()} ({', '.join(s['phases'])})",
                        s["minutes"],
                        s["supervisor"],
                        s["signed_at"],
                    )
                    for s in sessions["signed"]
                ],
                (22, 55, 18, 40, 39),
            )
    presentations = stated["presentations"]
    _heading(pdf, "Case presentations")
    _line(pdf, f"Given: {len(presentations['given'])} of {presentations['required']} required.")
    if presentations["given"]:
        _table(
            pdf,
            ("Date", "Title", "Audience"),
            [(p["on"], p["title"], p["audience"]) for p in presentations["given"]],
            (24, 110, 40),
        )
    _assessment(pdf, stated["assessment"])
    _heading(pdf, "Certificate")
    cert = stated.get("certificate")
    if cert:
        _line(
            pdf,
            f"{cert['credential']}, certificate {cert['number']}, issued {cert['issued_on']}; "
            f"status when this transcript was generated: {cert['status']}.",
        )
    else:
        _line(pdf, "No certificate issued.")
    if stated.get("steps"):
        _heading(pdf, "Steps")
        _table(
            pdf,
            ("Step", "Status"),
            [
                (f"{s['number']}. {s['title']}", STEP_STATUS_WORDS.get(s["status"], s["status"]))
                for s in stated["steps"]
            ],
            (124, 50),
        )
    pdf.ln(4)
    _line(
        pdf,
        "Hours count once verified; sessions once signed by the supervisor. Check this "
        "transcript at the address below with its code: the page says who generated it, when, "
        "and whether the trainee's record still states the same.",
        8,
    )
    return bytes(pdf.output())


def _assessment(pdf: _TranscriptPDF, stated: dict[str, Any]) -> None:
    _heading(pdf, "Final assessment")
    exam = stated.get("exam")
    if exam is None:
        _line(pdf, "Knowledge exam: no requirement set applies.")
    elif exam["passed"]:
        _line(
            pdf,
            f"Knowledge exam: passed on {exam['passed_on']} (best score {exam['best_score']}, "
            f"pass mark {exam['pass_mark']}; {exam['attempts']} of {exam['allowed']} attempts).",
        )
    elif exam["attempts"]:
        _line(
            pdf,
            f"Knowledge exam: not passed (best score {exam['best_score']}, pass mark "
            f"{exam['pass_mark']}; {exam['attempts']} of {exam['allowed']} attempts).",
        )
    else:
        _line(pdf, "Knowledge exam: not taken.")
    case = stated.get("case")
    if case:
        _line(pdf, f"Case presentation: {case['result']} on {case['on']}, by {case['evaluator']}.")
    else:
        _line(pdf, "Case presentation: not evaluated.")
    competency = stated.get("competency")
    if competency:
        verdict = (
            "every domain meets the minimum"
            if competency["all_meet_minimum"]
            else "not every domain meets the minimum"
        )
        _line(
            pdf,
            f"Competency evaluation: {competency['on']}, by {competency['evaluator']}: "
            f"{competency['domains']} domains, {verdict}.",
        )
    else:
        _line(pdf, "Competency evaluation: not evaluated.")
