"""Training the trainee logs: didactic hours by curriculum topic (step 5), experiential activities
(step 6), and continuing-education credits and peer consultation hours after certification
(step 9)."""
