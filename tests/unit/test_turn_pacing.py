"""The pacer that lets the event loop read the network between two turns (bot.turn_pacing)."""

from __future__ import annotations

import asyncio

from bot.telegram_shell.pacing import TurnPacer


class Passes:
    """Counts passes of the running event loop (a callback that schedules itself again each pass)."""

    def __init__(self) -> None:
        self.count = 0
        self.running = True

    def start(self) -> None:
        """Begin counting on the running loop."""
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        if self.running:
            asyncio.get_running_loop().call_soon(self._tick)


def test_turns_that_arrive_together_run_one_per_pass_in_arrival_order():
    """Ten updates fetched in one batch: each turn starts in a pass of its own, oldest first, and
    a reply's answer that came in during a turn is read before the next turn starts."""

    async def scenario():
        pacer, passes, log = TurnPacer(), Passes(), []
        passes.start()

        async def turn(n: int) -> None:
            await pacer.turn()
            log.append(("turn", n, passes.count))
            asyncio.get_running_loop().call_soon(lambda: log.append(("answer read", n, passes.count)))

        await asyncio.gather(*(turn(n) for n in range(10)))
        passes.running = False
        return log

    log = asyncio.run(scenario())
    turns = [entry for entry in log if entry[0] == "turn"]
    assert [n for _, n, _ in turns] == list(range(10))
    assert len({seen for _, _, seen in turns}) == 10, "two turns ran in the same pass of the loop"
    read = {n: position for position, (what, n, _) in enumerate(log) if what == "answer read"}
    for n in range(9):
        assert read[n] < log.index(turns[n + 1]), f"turn {n + 1} ran before the answer to turn {n} was read"


def test_a_single_turn_waits_for_no_more_than_the_next_pass():
    """A bot answering at a human pace: the turn goes on in the very next pass."""

    async def scenario():
        pacer, passes = TurnPacer(), Passes()
        passes.start()
        await asyncio.sleep(0)
        before = passes.count
        await pacer.turn()
        passes.running = False
        return passes.count - before

    assert asyncio.run(scenario()) <= 2


def test_a_cancelled_wait_gives_up_its_place_and_the_others_still_go_on():
    """An update whose task is cancelled while waiting (the bot stopping) holds nobody up."""

    async def scenario():
        pacer, done = TurnPacer(), []

        async def turn(n: int) -> None:
            await pacer.turn()
            done.append(n)

        tasks = [asyncio.create_task(turn(n)) for n in range(4)]
        await asyncio.sleep(0)  # all four are waiting now
        tasks[1].cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=5)
        await asyncio.wait_for(turn(9), timeout=5)
        return done

    assert asyncio.run(scenario()) == [0, 2, 3, 9]


def test_the_same_pacer_works_on_a_new_event_loop_after_the_old_one_closed_mid_wait():
    """Waits left behind on a loop that stopped for good (a restart in the same process) do not
    block the turns on the next loop."""
    pacer = TurnPacer()
    old = asyncio.new_event_loop()
    left: list[asyncio.Task] = []

    async def three_wait_then_the_loop_stops():
        left.extend(asyncio.create_task(pacer.turn()) for _ in range(3))
        await asyncio.sleep(0)  # all three are waiting; the loop stops before any is let go

    old.run_until_complete(three_wait_then_the_loop_stops())
    assert not any(task.done() for task in left)

    async def then_wait():
        await asyncio.wait_for(pacer.turn(), timeout=5)
        await asyncio.wait_for(pacer.turn(), timeout=5)
        return True

    assert asyncio.run(then_wait())
    for task in left:  # the old loop's leftovers end without touching the pacer's new state
        task.cancel()
    old.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    old.close()
    assert asyncio.run(then_wait())
