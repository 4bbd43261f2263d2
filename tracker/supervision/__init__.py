"""Supervised practice (step 7): the trainee's supervised KAP sessions, recorded with a
de-identified client code and submitted for a supervisor's signature, and case presentations."""
