"""What intake tells the apps that follow it, so they depend on intake and not the other way
round."""

from django.dispatch import Signal

# Sent inside the transaction that moves a request to shipped by itself (not carried by a
# roadmap item, which sends roadmap.signals.item_shipped), with `request`, `actor` and
# `shipped_on`; a receiver that fails undoes the move.
request_shipped = Signal()
