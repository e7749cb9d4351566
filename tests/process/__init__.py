"""The real crampbot process: command line, console, supervisor, kills and restarts."""
