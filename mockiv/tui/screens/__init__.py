"""The app's screens: home, practice, rehearsal, feedback, report, history, replay."""
