"""Account roles."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"  # Dinas KUK staff
    organizer = "organizer"  # runs the events it is assigned to
    seller = "seller"  # one pesantren
    buyer = "buyer"  # one buyer organisation


ROLE_LABELS = {
    Role.admin: "Staf Dinas KUK",
    Role.organizer: "Penyelenggara",
    Role.seller: "Pesantren",
    Role.buyer: "Pembeli",
}
