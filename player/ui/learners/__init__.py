"""Choosing the learner: the learner chooser, the account form, the unlock dialog."""
