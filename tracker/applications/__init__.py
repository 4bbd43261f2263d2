"""The application (step 3): the applicant's CV and personal statement, professional references and
answers to the ethical scenarios, gathered until the applicant submits them for admission."""
