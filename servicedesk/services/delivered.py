"""Services the park delivered to enterprises (服务企业): diagnostics, training, policy
briefings, vehicle passes, funds and financing secured — with quantities and amounts."""

from datetime import date

from .. import dates
from ..errors import InvalidInput
from ..i18n import _
from ..models import ServiceKind, clean_text, parse_amount
from ..store import Store
from ..views import delivered as views
from ..views import refs
from .tickets import not_future

MAX_QUANTITY = 10**9


def amount_fen(text: str | None) -> int | None:
    """--amount as fen; one clear line when it cannot be read."""
    if text is None:
        return None
    found = parse_amount(text)
    if found is None:
        raise InvalidInput(
            _('can\'t read the amount "{text}"; write yuan as 25170000, 25,170,000, 2517万 or 1.2亿').format(text=text)
        )
    return found


def log_service(
    store: Store,
    enterprise: str,
    kind: ServiceKind,
    *,
    on: date | None = None,
    quantity: int | None = None,
    amount: str | None = None,
    officer: str | None = None,
    note: str | None = None,
    actor: str | None = None,
    again: bool = False,
) -> dict:
    day = on or dates.today()
    served_on = not_future(day, _("the service date"))
    if quantity is not None and not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(
            _("--qty is a count from 1 to {most:,}, not {quantity}").format(most=MAX_QUANTITY, quantity=quantity)
        )
    fen = amount_fen(amount)
    with store.write():
        ent = refs.active(refs.enterprise(store, enterprise), "enterprise")
        officer_id = refs.officer(store, officer)["id"] if officer else None
        if officer_id is None and actor:
            found = store.row("SELECT id FROM officers WHERE name = ?", (actor,))
            officer_id = found["id"] if found else None
        twin = store.row(
            "SELECT id FROM services WHERE enterprise_id = ? AND kind = ? AND served_on = ? AND removed IS NULL",
            (ent["id"], str(kind), served_on),
        )
        if twin and not again:
            raise InvalidInput(
                _("already recorded as service #{id} on {date}; --again records another").format(
                    id=twin["id"], date=served_on
                )
            )
        service_id = store.insert(
            "services",
            {
                "enterprise_id": ent["id"],
                "kind": str(kind),
                "served_on": served_on,
                "week": dates.week_key(day),
                "quantity": quantity,
                "amount_fen": fen,
                "officer_id": officer_id,
                "note": clean_text(note),
                "recorded_at": dates.now_iso(),
                "recorded_by": actor,
                "changeset": store.changeset(actor),
            },
        )
    return views.item(store, service_id)
