"""Account roles (the enum itself is `core.actor.Role`, on the ground floor with the actor) and their labels."""

from opop_events.core.actor import Role
from opop_events.core.i18n import N_

__all__ = ["ROLE_LABELS", "Role"]


ROLE_LABELS = {
    Role.admin: N_("Staf Dinas KUK"),
    Role.organizer: N_("Penyelenggara"),
    Role.seller: N_("Pesantren"),
    Role.buyer: N_("Pembeli"),
}
