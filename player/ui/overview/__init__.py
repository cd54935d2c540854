"""The course overview screen."""
