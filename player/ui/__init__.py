"""The Qt interface: a thin client of the services in ``player.services``.

``player.ui.shell.app.run`` starts it. Nothing outside this package imports Qt.
"""
