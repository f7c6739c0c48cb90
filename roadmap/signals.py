"""What the roadmap tells the apps that follow it, so they depend on the roadmap and not the
other way round."""

from django.dispatch import Signal

# Sent inside the transaction that moves a roadmap item to shipped, with `item`, `actor` and
# `shipped_on`; a receiver that fails undoes the move.
item_shipped = Signal()

# Sent inside the transaction that plans a roadmap item, with `item` and `actor`, once its
# requests are linked to it.
item_planned = Signal()
