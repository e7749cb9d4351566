"""Content ids the code names: the flows it drives and the knowledge entries it points to. Loading the
content fails when an entry named here is missing (bot.content.bundle), so renaming one in knowledge/
cannot break a reply at run time."""

# flows (dialogs/<id>.yaml)
CHECKUP, RELIEF, DIARY, REMINDERS, ZONE = "checkup", "relief", "diary", "reminders", "zone"
FLOWS = (CHECKUP, RELIEF, DIARY, REMINDERS, ZONE)

# knowledge entries
CAPABILITIES = "capabilities"  # "what can you do?": the menu goes under its answer
FREQUENT_CRAMPS = "frequent_cramps"  # the history points to these when the diary shows a pattern
WHEN_TO_SEE_DOCTOR = "when_to_see_doctor"
BEDTIME_STRETCHES = "bedtime_stretches"
WARM_UP = "warm_up"
POSTURE_SITTING = "posture_sitting"
ANIMALS = "out_of_scope_animals"  # a message about a pet's cramps: a vet, not CrampBot
ENTRIES = (CAPABILITIES, FREQUENT_CRAMPS, WHEN_TO_SEE_DOCTOR, BEDTIME_STRETCHES, WARM_UP, POSTURE_SITTING, ANIMALS)
