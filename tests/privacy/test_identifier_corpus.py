"""The identifier finder over a corpus: every identifying string is marked, every harmless one
(the vocabulary of ketamine-assisted therapy training) is not."""

from __future__ import annotations

import pytest

from tracker.privacy.identifiers import find_identifiers
from tracker.privacy.identifiers import holds_names
from tracker.privacy.identifiers import marked

IDENTIFYING = [
    # names
    "Client Maria Lopez arrived early.",
    "Worked with Maria Lopez today.",
    "MARIA LOPEZ",
    "John Smith attended the integration session.",
    "Session with James R. Johnson",
    "Mr. Garcia described his week.",
    "Mrs Nguyen felt calmer.",
    "Ms. Patel asked about dosing.",
    "The patient Linda said she slept well.",
    "client: Robert",
    "Participant Jennifer reported nausea.",
    "MariaLopez1 was calm",
    "Notes for MariaLopez",
    "JohnSmith42 again",
    "Maria1 preferred music",
    "Discussed with Patricia Williams",
    "Karen Brown-Davis",
    "Michael O\u2019Brien joined",
    "Elizabeth Martinez, 42",
    "David Kim said the music helped",
    "Susan Chen preparation",
    "Anthony Rodriguez",
    "Thomas Anderson integration",
    "Sarah Wilson cried during dosing",
    "Daniel Moore",
    # initials
    "Client J.D. arrived.",
    "J. D. was anxious",
    "Met with JD01 today",
    "JD-01 felt calmer",
    "Client JDM7 session",
    "A.B.C. participated",
    "K.L. 42",
    # dates
    "Session on 03/12/1985",
    "3/12/85",
    "12.03.1985",
    "1985-03-12",
    "1985/3/12",
    "March 12, 1985",
    "March 12th",
    "Mar. 12 1985",
    "12 March 1985",
    "12th of March",
    "2-MAR-85",
    "seen 3/12",
    "Born 12-03-1985",
    "on 11/30/2026 we met",
    "JAN 5",
    "5 Jan",
    "Sept 9, 2024",
    "December 1st",
    # dates of birth
    "DOB 03/12/1985",
    "dob: 1985-03-12",
    "D.O.B. 3/12/85",
    "date of birth 12 March 1985",
    "Her birthday is next week",
    "born on a Tuesday",
    "birthdate unknown",
    "DOB",
    # phone numbers
    "phone 415-555-1234",
    "(415) 555-1234",
    "415.555.1234",
    "+1 415 555 1234",
    "4155551234",
    "call 555-1234",
    "+44 20 7946 0958",
    "+33 1 23 45 67 89",
    "tel: 415 555 1234",
    "cell 415-555-1234",
    "1-800-555-0199",
    "415 555 1234",
    # e-mail addresses
    "maria.lopez@example.com",
    "write to jdoe+kap@mail.example.org",
    "maria (at) example (dot) com",
    "maria[at]example.com",
    "MARIA@EXAMPLE.COM",
    "j_d@clinic.example.net",
    # street addresses
    "lives at 123 Main Street",
    "123 Main St.",
    "42 Oak Avenue",
    "7 Elm Rd",
    "1600 Pennsylvania Ave",
    "221 Baker St",
    "12 W Maple Lane",
    "55 5th Ave",
    "Apt 4B",
    "Suite 210",
    "P.O. Box 123",
    "PO Box 77",
    "San Francisco, CA 94110",
    "Oakland CA 94612-1234",
    "88 Ocean View Drive",
    "10 Downing Street",
    # record numbers
    "MRN 12345678",
    "MRN: A-12345",
    "SSN 123-45-6789",
    "123-45-6789",
    "medical record number 445566",
    "record # 8812",
    "chart no. 5521",
    "patient ID 7781",
    "member id W123456789",
    "case number 2024-1187",
    "#88123",
    "id 12345678",
    "social security 123456789",
    "NHS 943 476 5919",
    "insurance id ABC12345",
]

HARMLESS = [
    "Set and setting",
    "MDMA",
    "ketamine 0.5 mg/kg",
    "Ketamine 0.5 mg/kg IM",
    "PTSD",
    "session 3 of 6",
    "1.5 hours",
    "2.75",
    "12 hours",
    "0.25 hours of preparation",
    "Ethics in Psychedelic Therapy",
    "Harm Reduction Principles",
    "Trauma-Informed Care",
    "Motivational Interviewing Basics",
    "Integration Circle",
    "Music and the Therapeutic Frame",
    "Introduction to Ketamine-Assisted Psychotherapy",
    "KAP Foundations Module 2",
    "Module 4: Preparation",
    "PHQ-9 went from 18 to 9",
    "GAD-7 score 12",
    "PCL-5 baseline",
    "DSM-5 criteria reviewed",
    "5-HT2A agonists differ from NMDA antagonists",
    "The client code is KC-7QX4M2.",
    "KC-4RT8M2 integration went well",
    "Dosing went smoothly; blood pressure stayed stable.",
    "BP 128/82 after dosing",
    "Heart rate 72 bpm",
    "Supervisor observed the whole session.",
    "We practised the informed consent conversation.",
    "Role play of a difficult integration session.",
    "I learned to hold silence during the peak.",
    "Nausea resolved with ondansetron 4 mg.",
    "Vital signs were checked every 15 minutes.",
    "Intramuscular route, 40 minutes of dissociation.",
    "Sublingual lozenge, 200 mg.",
    "The client felt supported and grounded.",
    "Preparation covered intentions and expectations.",
    "Integration focused on meaning-making.",
    "Group process: 8 participants.",
    "Week 3 of 12",
    "Day 2 of the retreat",
    "CE credits: 1.5",
    "APA-approved CE course",
    "Consultation hours with a mentor",
    "Somatic approaches to trauma",
    "Internal Family Systems overview",
    "EMDR and ketamine",
    "CBT skills after a dosing session",
    "Ketamine pharmacology and safety",
    "Screening for contraindications",
    "Medical screening and vital signs",
    "Emergency procedures and adverse events",
    "Cultural humility in psychedelic care",
    "Nondirective support during dosing",
    "The session ran 90 minutes.",
    "We met twice this month.",
    "In March we reviewed the protocol.",
    "The client may need another preparation session.",
    "Will discuss at supervision.",
    "Hope and fear came up.",
    "Grace period for the log ended.",
    "Mark the dosing phase as covered.",
    "May 2026 cohort",
    "2025-2026 training year",
    "Spring 2026",
    "Version 1.2 of the protocol",
    "Page 12",
    "room 4",
    "Ratio 3:1",
    "Score went from 18 to 9",
    "Dose titrated from 0.5 to 0.75 mg/kg",
    "Blood pressure 140/90 at peak",
    "SSRI taper discussed",
    "No adverse events.",
    "Safety: the client stayed in the room.",
    "Observer role, live supervision.",
    "Co-facilitator during the dosing phase.",
    "Reflection on my countertransference.",
    "The supervisor asked about boundaries.",
    "Answer: I attended the full session.",
    "Question: which module was this?",
    "Please add the module number.",
    "The provider's certificate is attached.",
    "Online course, 6 modules",
    "Retreat format, 3 days",
    "Personal ketamine session completed",
    "I noticed anxiety before the session.",
    "Self-care plan after the session",
    "Psilocybin research update",
    "Ketamine-assisted psychotherapy for depression",
    "Dissociation scale (CADSS)",
    "Treatment-resistant depression",
    "Suicidality screening with the C-SSRS",
    "Journal club: Phase 2 trial",
    "NMDA receptor antagonism",
    "IV infusion versus IM injection",
    "Follow-up after 24 hours",
    "The client is 42 years old.",
    "U.S. guidelines",
    "8 a.m. start",
    "Ph.D. supervisor",
    "Session lasted 1 hour 45 minutes",
    "Esketamine nasal spray",
    "Integration session on day 3",
    "Total: 36.5 hours",
    "Group of 6",
]


def test_the_corpus_is_large_enough():
    assert len(IDENTIFYING) >= 100
    assert len(HARMLESS) >= 100


@pytest.mark.parametrize("text", IDENTIFYING)
def test_identifying_strings_are_marked(text):
    assert find_identifiers(text), text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_strings_pass(text):
    assert find_identifiers(text) == [], text


def test_a_reflection_is_marked_where_the_identifiers_are():
    text = "Client Maria Lopez, DOB 03/12/1985, phone 415-555-1234, felt calmer."
    findings = find_identifiers(text)
    assert [f.kind for f in findings] == ["name", "dob", "phone"]
    assert [f.text for f in findings] == [
        "Client Maria Lopez",
        "DOB 03/12/1985",
        "phone 415-555-1234",
    ]
    flagged = [piece for piece, is_flagged in marked(text, findings) if is_flagged]
    assert flagged == [f.text for f in findings]
    assert "".join(piece for piece, _ in marked(text, findings)) == text


def test_names_run_together_in_any_case():
    assert holds_names("MARIALOPEZ")
    assert holds_names("marialopez")
    assert not holds_names("QXMRTZ")
