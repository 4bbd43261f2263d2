"""Eligibility (step 1): the licences, liability insurance, experience attestation and health
screening a person records about themselves. They belong to the person, not to one enrollment, so
a verification counts in every program."""
