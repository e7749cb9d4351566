"""Mermaid state diagrams generated from the dialog flows (kept beside them as dialogs/*.mmd)."""

from __future__ import annotations

from bot.content.flows import Flow


def mermaid(flow: Flow) -> str:
    """A Mermaid stateDiagram-v2 of the flow: every transition, navigation and escalation."""
    lines = ["%% Generated from dialogs/" + flow.id + ".yaml by `crampbot diagrams --write`. Do not edit by hand.",
             "stateDiagram-v2", f"    [*] --> {flow.start}"]
    for state in flow.states.values():
        if state.end:
            lines.append(f"    {state.id} --> [*]")
            continue
        edges: dict[str, list[str]] = {}
        for choice in state.choices:
            edges.setdefault(choice.next or state.next or "", []).append(choice.id)
        if state.parse and state.next:
            edges.setdefault(state.next, []).append(f"typed {state.parse.replace('_', ' ')}")
        if "skip" in flow.navigation and state.next:
            edges.setdefault(state.next, []).append("skip")
        for target, labels in edges.items():
            lines.append(f"    {state.id} --> {target}: {', '.join(labels)}")
        if flow.escalation:
            esc = flow.escalation
            lines.append(f"    {state.id} --> {esc.to}: {', '.join(esc.on)} after {esc.after_seconds // 60} min")
        if state.timer:
            lines.append(f"    note right of {state.id}: hold {state.timer.seconds} s")
    if "back" in flow.navigation:
        lines.append("    note left of " + flow.start + ": back returns to the previous question")
    if "cancel" in flow.navigation:
        lines.append("    note left of " + flow.start + ": cancel ends the flow from any step")
    return "\n".join(lines) + "\n"
