"""Matching rules: meeting requests with quotas and a deadline, availability, running the scheduler on an
event, reviewing, pinning and moving meetings, publishing, walk-ins, attendance and outcomes.

Meetings are never dropped silently: an accepted request the scheduler could not place stays as a meeting in
state `belum_terjadwal` with the reason, and every change after publishing is logged in `meeting_change`.

A package split by concept; callers import from here.
"""

from opop_events.matching.services.agendas import agenda, check_meeting_for_deal
from opop_events.matching.services.changes import (
    mark_attendance,
    move_meeting,
    publish,
    rate_meeting,
    walk_in,
)
from opop_events.matching.services.common import ACTIVE
from opop_events.matching.services.meetings import get_meeting, list_meetings, set_availability
from opop_events.matching.services.pages import (
    get_availability,
    last_schedule_run,
    list_counterparts,
    meeting_outcomes,
)
from opop_events.matching.services.published import (
    agenda_url,
    event_slots,
    make_agenda_token,
    party_registered,
    party_row,
    public_agenda,
    published_meeting_rows,
    registered_participants,
    scheduled_meeting_rows,
    token_party,
    verify_agenda_token,
)
from opop_events.matching.services.requests import (
    answer_request,
    cancel_request,
    create_request,
    list_requests,
)
from opop_events.matching.services.runs import build_problem, run_scheduler

__all__ = ["ACTIVE", "agenda", "agenda_url", "answer_request", "build_problem", "cancel_request", "check_meeting_for_deal", "create_request", "event_slots", "get_availability", "get_meeting", "last_schedule_run", "list_counterparts", "list_meetings", "list_requests", "make_agenda_token", "mark_attendance", "meeting_outcomes", "move_meeting", "party_registered", "party_row", "public_agenda", "publish", "published_meeting_rows", "rate_meeting", "registered_participants", "run_scheduler", "scheduled_meeting_rows", "set_availability", "token_party", "verify_agenda_token", "walk_in"]
