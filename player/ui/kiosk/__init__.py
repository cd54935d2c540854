"""Kiosk mode: idle sign-out and the exit PIN (``controller``), lab account sign-in (``lab_accounts``)."""
