"""Program reports for staff: where each cohort stands, where trainees stop, how long
certification takes, how fast supervisors sign, whether tuition comes in, and what the
credentials are worth now. Aggregates in SQL over the stored progress, the ledger and the
records; each report makes a fixed number of queries whatever the number of enrollments."""
