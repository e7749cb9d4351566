"""Every string a button sends back (an action) and every coded answer a flow stores, built and read here
and nowhere else. Old buttons in chats and saved sessions hold these strings, so their formats never change:

    menu:<name>                          a menu item or command (menu:cramp, menu:log)
    ask:<entry id>                       show a knowledge entry
    more:<entry id>:<n>                  the n-th follow-up of an entry (n: 1 to 3 digits)
    f:<flow>:<state>:<choice>            a flow's button; the choice "~back", "~skip" or "~cancel" navigates;
                                         on a question whose buttons tick (`tick: true`), a choice ticks or
                                         unticks and "~done" moves on with what is ticked; "!start" starts
                                         the step's hold, "@<muscle>" fits the relief steps to it
    diary:<verb>:<entry id>[:<field>]    edit, field, delete or confirm a diary entry; diary:keep keeps it
    remind:snooze|stop:<kind>            a reminder's buttons (stop:all stops every reminder)
    forget:yes|no                        the answer to "delete everything?"
    dpage:<n>                            page n of /diary (1: the newest entries)
    checkin:<answer>[:<place>]           the morning check-in's buttons (none, one, several, bad; then a place)

Answers a flow stores besides choice ids: at:<epoch seconds> (a typed time), about:<epoch>:<part>:<words> (a
day or part of one, as said: "last night"), words:<text> (a time told before the zone was known, read when
the entry is saved), zone:<IANA name>, t<HHMM> (a bedtime), s<N> (a severity) and, under "muscle", the muscle the
relief steps are fitted to. A confirmation waiting for
yes or no is "forget" or "delete:<entry id>"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

MENU, ASK, MORE, FLOW, DIARY, REMIND, FORGET = "menu", "ask", "more", "f", "diary", "remind", "forget"
DIARY_PAGE, CHECKIN = "dpage", "checkin"
NAV_PREFIX = "~"
HOLD_START = "!start"  # a flow button's choice that starts the step's timed hold
MUSCLE_PREFIX = "@"  # a flow button's choice that fits the relief steps to a muscle ("@thigh")
REMIND_VERBS = ("snooze", "stop")
ALL_REMINDERS = "all"
MORE_DIGITS = 3  # more:<id>:<n> with a longer n is forged or broken
ZONE_ANSWER = "zone"  # the answer name under which flows keep the time zone
MUSCLE_ANSWER = "muscle"  # the answer name under which the relief steps keep the muscle they are fitted to


@dataclass(frozen=True)
class Menu:
    """menu:<name>: a menu item or command."""

    name: str
    kind: ClassVar[str] = MENU

    def __str__(self) -> str:
        return f"{MENU}:{self.name}"


@dataclass(frozen=True)
class Ask:
    """ask:<entry id>: show a knowledge entry."""

    entry: str
    kind: ClassVar[str] = ASK

    def __str__(self) -> str:
        return f"{ASK}:{self.entry}"


@dataclass(frozen=True)
class More:
    """more:<entry id>:<n>: the n-th follow-up chunk of an entry (1-based)."""

    entry: str
    number: int
    kind: ClassVar[str] = MORE

    def __str__(self) -> str:
        return f"{MORE}:{self.entry}:{self.number}"


@dataclass(frozen=True)
class FlowPress:
    """f:<flow>:<state>:<choice>: a flow's choice button, or its back/skip/cancel ("~" and the command)."""

    flow: str
    state: str
    choice: str
    kind: ClassVar[str] = FLOW

    @property
    def nav(self) -> str | None:
        """The navigation command ("back", "skip", "cancel") when this is a navigation button, else None."""
        return self.choice[len(NAV_PREFIX):] if self.choice.startswith(NAV_PREFIX) else None

    @property
    def hold_start(self) -> bool:
        """True for the ▶️ Start button of a step's timed hold."""
        return self.choice == HOLD_START

    @property
    def muscle(self) -> str | None:
        """The muscle a relief step's muscle button names ("@thigh"), else None."""
        if not self.choice.startswith(MUSCLE_PREFIX):
            return None
        return self.choice[len(MUSCLE_PREFIX):] or None

    def __str__(self) -> str:
        return f"{FLOW}:{self.flow}:{self.state}:{self.choice}"


@dataclass(frozen=True)
class DiaryPress:
    """diary:<verb>:<entry id>[:<field>]: a diary entry's edit, field (with the field), delete or confirm button."""

    verb: str
    entry: int
    field: str | None = None
    kind: ClassVar[str] = DIARY

    def __str__(self) -> str:
        tail = "" if self.field is None else f":{self.field}"
        return f"{DIARY}:{self.verb}:{self.entry}{tail}"


@dataclass(frozen=True)
class DiaryKeep:
    """diary:keep: "no, keep it" to deleting a diary entry."""

    kind: ClassVar[str] = DIARY

    def __str__(self) -> str:
        return f"{DIARY}:keep"


@dataclass(frozen=True)
class RemindPress:
    """remind:snooze|stop:<kind>: a reminder's snooze or stop button (stop:all for every reminder)."""

    verb: str
    reminder: str
    kind: ClassVar[str] = REMIND

    def __str__(self) -> str:
        return f"{REMIND}:{self.verb}:{self.reminder}"


@dataclass(frozen=True)
class ForgetPress:
    """forget:yes|no: the answer to "delete everything?" (anything but yes keeps the data)."""

    answer: str
    kind: ClassVar[str] = FORGET

    @property
    def yes(self) -> bool:
        """True when the answer is yes."""
        return self.answer == "yes"

    def __str__(self) -> str:
        return f"{FORGET}:{self.answer}"


@dataclass(frozen=True)
class Unknown:
    """Anything else: forged, broken, or from a version that had other buttons. It keeps its kind (the text
    before the first ":"), so such a press can still be told apart by it."""

    text: str

    @property
    def kind(self) -> str:
        """The text before the first ":"."""
        return self.text.partition(":")[0]

    @property
    def fields(self) -> tuple[str, ...]:
        """The parts after the kind (one empty part when there are none)."""
        return tuple(self.text.partition(":")[2].split(":"))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class DiaryPage:
    """dpage:<n>: page n of the diary list, newest entries first (1 is the newest page)."""

    page: int
    kind: ClassVar[str] = DIARY_PAGE

    def __str__(self) -> str:
        return f"{DIARY_PAGE}:{self.page}"


@dataclass(frozen=True)
class CheckinPress:
    """checkin:<answer>[:<place>]: the morning check-in's answer (none, one, several or bad) and, for one or
    several, the place tapped next (left_calf, right_calf, left_foot, right_foot, both, other)."""

    answer: str
    place: str | None = None
    kind: ClassVar[str] = CHECKIN

    def __str__(self) -> str:
        tail = "" if self.place is None else f":{self.place}"
        return f"{CHECKIN}:{self.answer}{tail}"


Action = (Menu | Ask | More | FlowPress | DiaryPress | DiaryKeep | RemindPress | ForgetPress | DiaryPage | CheckinPress
          | Unknown)
PersonalPress = DiaryPress | DiaryKeep | RemindPress | ForgetPress | DiaryPage | CheckinPress


def parse(action: str) -> Action:
    """Read an action string; anything not in one of the formats (forged or broken) comes back as Unknown."""
    kind, _, rest = action.partition(":")
    parts = action.split(":")
    if kind == MENU:
        return Menu(rest)
    if kind == ASK:
        return Ask(rest)
    entry, _, number = rest.partition(":")
    if kind == MORE and number.isdecimal() and len(number) <= MORE_DIGITS:
        return More(entry, int(number))
    if kind == FLOW and len(parts) == 4 and all(parts[1:]):
        return FlowPress(parts[1], parts[2], parts[3])
    if kind == DIARY and len(parts) >= 3 and parts[2].isdecimal():  # parts after the field are ignored, as ever
        return DiaryPress(parts[1], int(parts[2]), parts[3] if len(parts) > 3 else None)
    if kind == DIARY and parts[1:] == ["keep"]:
        return DiaryKeep()
    if kind == REMIND and len(parts) == 3 and parts[1] in REMIND_VERBS:
        return RemindPress(parts[1], parts[2])
    if kind == FORGET and len(parts) == 2:
        return ForgetPress(parts[1])
    if kind == DIARY_PAGE and len(parts) == 2 and parts[1].isdecimal() and len(parts[1]) <= MORE_DIGITS:
        return DiaryPage(int(parts[1]))
    if kind == CHECKIN and len(parts) in (2, 3) and all(parts[1:]):
        return CheckinPress(parts[1], parts[2] if len(parts) == 3 else None)
    return Unknown(action)


# -- building actions (what the buttons carry) -----------------------------------------------------


def menu(name: str) -> str:
    """menu:<name>."""
    return str(Menu(name))


def ask(entry_id: str) -> str:
    """ask:<entry id>."""
    return str(Ask(entry_id))


def more(entry_id: str, number: int) -> str:
    """more:<entry id>:<n>."""
    return str(More(entry_id, number))


def flow_choice(flow: str, state: str, choice: str) -> str:
    """f:<flow>:<state>:<choice>."""
    return str(FlowPress(flow, state, choice))


def flow_nav(flow: str, state: str, command: str) -> str:
    """f:<flow>:<state>:~<command> (back, skip or cancel)."""
    return str(FlowPress(flow, state, f"{NAV_PREFIX}{command}"))


def flow_hold_start(flow: str, state: str) -> str:
    """f:<flow>:<state>:!start."""
    return str(FlowPress(flow, state, HOLD_START))


def flow_muscle(flow: str, state: str, muscle: str) -> str:
    """f:<flow>:<state>:@<muscle>."""
    return str(FlowPress(flow, state, f"{MUSCLE_PREFIX}{muscle}"))


def diary(verb: str, entry_id: int, field: str | None = None) -> str:
    """diary:<verb>:<entry id>[:<field>]."""
    return str(DiaryPress(verb, entry_id, field))


def diary_keep() -> str:
    """diary:keep."""
    return str(DiaryKeep())


def remind(verb: str, reminder: str) -> str:
    """remind:snooze|stop:<kind>."""
    return str(RemindPress(verb, reminder))


def forget(yes: bool) -> str:
    """forget:yes or forget:no."""
    return str(ForgetPress("yes" if yes else "no"))


def diary_page(page: int) -> str:
    """dpage:<n>."""
    return str(DiaryPage(page))


def checkin(answer: str, place: str | None = None) -> str:
    """checkin:<answer>[:<place>]."""
    return str(CheckinPress(answer, place))


# -- confirmations waiting for a yes or no (kept in the session) ---------------------------------

FORGET_PENDING = FORGET


def deleting(entry_id: int) -> str:
    """The pending confirmation for deleting one diary entry: delete:<entry id>."""
    return f"delete:{entry_id}"


def deleting_of(pending: str | None) -> int | None:
    """The entry id a pending delete:<entry id> is about, or None."""
    if pending is None or not pending.startswith("delete:"):
        return None
    number = pending[len("delete:"):]
    return int(number) if number.isdecimal() else None


def confirm_yes(pending: str) -> str | None:
    """The button a typed "yes" stands for while `pending` waits for an answer (None: nothing it could mean)."""
    if pending == FORGET_PENDING:
        return forget(True)
    entry_id = deleting_of(pending)
    return diary("confirm", entry_id) if entry_id is not None else None


# -- coded answers ---------------------------------------------------------------------------------


def at(epoch: float) -> str:
    """A typed moment as an answer: at:<epoch seconds>."""
    return f"at:{epoch}"


def when_of(answer: str | None) -> float | None:
    """The epoch seconds in an at:<epoch> answer, or None."""
    if answer is None or not answer.startswith("at:"):
        return None
    try:
        return float(answer[len("at:"):])
    except ValueError:
        return None


def about(epoch: float, part: str | None, said: str | None) -> str:
    """A day or part of one, as said, as an answer: about:<epoch>:<part>:<words> (part and words may be empty)."""
    return f"about:{epoch}:{part or ''}:{said or ''}"


def about_of(answer: str | None) -> tuple[float, str | None, str | None] | None:
    """(epoch, part, words) in an about:<epoch>:<part>:<words> answer, or None."""
    if answer is None or not answer.startswith("about:"):
        return None
    epoch, _, rest = answer[len("about:"):].partition(":")
    part, _, said = rest.partition(":")
    try:
        return float(epoch), part or None, said or None
    except ValueError:
        return None


def words(text: str) -> str:
    """A time told in words before the zone was known, as an answer: words:<text> (read when saved)."""
    return f"words:{text}"


def words_of(answer: str | None) -> str | None:
    """The text in a words:<text> answer, or None."""
    return answer[len("words:"):] if answer is not None and answer.startswith("words:") else None


def zone(name: str) -> str:
    """A time zone as an answer: zone:<IANA name>."""
    return f"zone:{name}"


def zone_of(answer: str | None) -> str | None:
    """The zone name in a zone:<name> answer (possibly empty), or None."""
    return answer[len("zone:"):] if answer is not None and answer.startswith("zone:") else None


def zone_from(answers: dict[str, tuple[str, ...]]) -> str | None:
    """The zone name in a flow's answers ("zone:Europe/Berlin"), or None."""
    return zone_of((answers.get(ZONE_ANSWER) or ("",))[0])


def muscle_from(answers: dict[str, tuple[str, ...]]) -> str | None:
    """The muscle the relief steps are fitted to, from a flow's answers, or None."""
    return (answers.get(MUSCLE_ANSWER) or (None,))[0]


def bedtime(clock: str) -> str:
    """A time of day "HH:MM" as a bedtime answer id: t<HHMM> (the buttons' ids have the same form)."""
    return f"t{clock[:2]}{clock[3:]}"


def clock_of(answer: str | None) -> str | None:
    """The "HH:MM" behind a t<HHMM> answer, or None."""
    if answer is None or len(answer) != 5 or answer[0] != "t" or not answer[1:].isdecimal():
        return None
    return f"{answer[1:3]}:{answer[3:5]}"


def severity(level: int) -> str:
    """A severity as an answer id: s<N>."""
    return f"s{level}"


def severity_of(answer: str | None) -> int | None:
    """The number in an s<N> answer, or None."""
    if answer is None or not answer.startswith("s") or not answer[1:].isdecimal():
        return None
    return int(answer[1:])
