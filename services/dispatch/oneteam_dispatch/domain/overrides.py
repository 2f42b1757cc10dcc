"""The command centre's overrides: do the officers it names fit what the incident needs?

Matching never sends an officer without the department and skills an entry of the
responsibility list asks for; a commander naming officers by hand is held to the same
rule, unless they say they know better (``force``, with the reason on the record).
"""

from __future__ import annotations

from collections.abc import Sequence

from oneteam_dispatch.domain.officers import Officer
from oneteam_dispatch.domain.responsibility import Need


def unmet_needs(needs: Sequence[Need], chosen: Sequence[Officer]) -> list[str]:
    """What the `chosen` officers leave uncovered, one sentence per need (empty: they fit).

    Each need takes a different officer of its department holding its skills; officers
    beyond the needs are allowed (a commander may send help).
    """
    free = list(chosen)
    problems = []
    for need in needs:
        fit = next((o for o in free if o.department == need.department and need.skills <= o.skills), None)
        if fit is not None:
            free.remove(fit)
            continue
        same_department = [o for o in free if o.department == need.department]
        if not same_department:
            problems.append(f"no officer of {need.department} is named")
        else:
            lacking = ", ".join(f"{o.id} lacks {', '.join(sorted(need.skills - o.skills))}" for o in same_department)
            problems.append(f"{need.department} needs skills {', '.join(sorted(need.skills))}: {lacking}")
    return problems
