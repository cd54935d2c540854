"""Choosing the learner: the sign-in screen."""
