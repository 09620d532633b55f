"""The kiosk: a large-button Kivy app for seniors (built in its own issue)."""
