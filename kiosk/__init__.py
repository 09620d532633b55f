"""The kiosk: a large-button Kivy app for seniors (theme, i18n, controller, screens).

Importing this package loads no Kivy: `kiosk.kivy_env.prepare()` must run before Kivy is
first imported, and `linli kiosk` does that before importing the app.
"""
