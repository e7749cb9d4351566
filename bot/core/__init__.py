"""The pure conversation: events, sessions, the Brain that answers them, flows, plans and the personal data
(diary, reminders, privacy). No I/O, no telegram."""
