"""Red flags and "a cramp happening now": what the scan finds (rules.py), the scan itself (scanner.py) and
the emergency numbers. Pure; the YAML is read in bot.content."""
