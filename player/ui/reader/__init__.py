"""The lesson reader screen."""
