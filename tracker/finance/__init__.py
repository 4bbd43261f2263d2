"""The tuition ledger (step 4): charges, payments, credits, refunds and payment plans."""
