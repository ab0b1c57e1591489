"""The routing table of the action plan: who a new concern goes to.

- a member of staff or a partner: the Infohus's coordinators;
- a citizen, about someone under 18: the SSP consultant;
- a citizen, about an adult: the police representative;
- a citizen who does not know the age: the coordinators, who are the SSP consultant and the
  police officer together and decide which of them takes it.

Forwarding (a matter that is not about extremism) is the Infohus's decision later, never a route
at intake.
"""

from __future__ import annotations

STAFF, PARTNER, CITIZEN = "staff", "partner", "citizen"
UNDER_18, ADULT, UNKNOWN = "under_18", "adult", "unknown"
COORDINATORS, SSP_CONSULTANT, POLICE_REPRESENTATIVE = (
    "coordinators",
    "ssp_consultant",
    "police_representative",
)
# Set by the Infohus at the outcome step, never at intake.
FORWARDED = "forwarded"


def route_for(*, reporter_kind: str, age_group: str) -> str:
    if reporter_kind in (STAFF, PARTNER):
        return COORDINATORS
    if reporter_kind != CITIZEN:
        raise ValueError(f"Unknown kind of reporter: {reporter_kind!r}")
    if age_group == UNDER_18:
        return SSP_CONSULTANT
    if age_group == ADULT:
        return POLICE_REPRESENTATIVE
    if age_group == UNKNOWN:
        return COORDINATORS
    raise ValueError(f"Unknown age group: {age_group!r}")
