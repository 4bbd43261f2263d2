"""Admissions (step 3's decision): staff review an applicant's documents and credentials, clear
health screenings, decide the eligibility pathway, admit or decline, grant waivers and assign
supervisors."""
