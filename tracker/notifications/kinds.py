"""The catalogue of notice kinds: what each is about, who receives it (by role, to choose
which preferences a person sees), and how it is delivered unless the person chose otherwise."""

from __future__ import annotations

from dataclasses import dataclass

# How a notice reaches its person besides the inbox: at once by e-mail, gathered in the daily
# digest e-mail, or only in the inbox.
EMAIL = "email"
DIGEST = "digest"
INBOX = "inbox"
DELIVERIES = {
    EMAIL: "E-mail at once",
    DIGEST: "In the daily digest",
    INBOX: "Inbox only",
}


@dataclass(frozen=True)
class Kind:
    """One kind of notice: its code, the label a person chooses a delivery for, the roles of
    those who receive it, and the delivery unless they chose another."""

    code: str
    label: str
    roles: tuple[str, ...]
    default: str


_TRAINEE = ("trainee",)
_REVIEWERS = ("supervisor", "staff")

KINDS: tuple[Kind, ...] = (
    Kind("entry.returned", "A supervised session returned to you with a question", _TRAINEE, EMAIL),
    Kind("entry.answered", "A trainee answered your question", _REVIEWERS, EMAIL),
    Kind("entry.signed", "Your supervised session was signed", _TRAINEE, DIGEST),
    Kind("entry.reopened", "A signed or verified entry of yours was reopened", _TRAINEE, EMAIL),
    Kind("hours.verified", "Your hours were verified", _TRAINEE, DIGEST),
    Kind("hours.rejected", "Your hours were returned with a question", _TRAINEE, EMAIL),
    Kind("ce.approved", "Your continuing education was approved", _TRAINEE, DIGEST),
    Kind("ce.rejected", "Your continuing education was rejected", _TRAINEE, EMAIL),
    Kind("admission.decision", "A decision on your application", _TRAINEE, EMAIL),
    Kind(
        "supervisor.assigned", "A supervisor assigned or changed", (*_TRAINEE, "supervisor"), EMAIL
    ),
    Kind("instalment.due", "An instalment falls due in 7 days", _TRAINEE, EMAIL),
    Kind("instalment.overdue", "An instalment is overdue", _TRAINEE, EMAIL),
    Kind("certificate.issued", "Your certificate was issued", _TRAINEE, EMAIL),
    Kind("certificate.revoked", "Your certificate was revoked", _TRAINEE, EMAIL),
    Kind("certificate.reinstated", "Your certificate was reinstated", _TRAINEE, EMAIL),
    Kind("certificate.lapsing", "Your certificate's renewal cycle ends soon", _TRAINEE, EMAIL),
    Kind("certificate.lapsed", "Your certificate lapsed", _TRAINEE, EMAIL),
    Kind("import.finished", "An import you started finished", ("staff",), INBOX),
)
BY_CODE = {kind.code: kind for kind in KINDS}


def kinds_for(person) -> list[Kind]:
    """The kinds a person with these roles may receive (those whose delivery they choose)."""
    return [kind for kind in KINDS if any(person.has_role(role) for role in kind.roles)]
