"""The settings dialog (``dialog``) and applying what it changed to the window (``preferences``)."""
