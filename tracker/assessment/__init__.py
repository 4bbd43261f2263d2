"""The final assessment (step 8): knowledge-exam attempts, case and competency evaluations."""
