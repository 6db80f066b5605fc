"""The shared domain base of the four services (consortium, escrow, costs, titles).

- :mod:`.checks`: the one set of input checks (address, whole number, text bytes, duration, deadline);
- :mod:`.asset`: one :class:`~.asset.Asset` (ether or an ERC-20) with formatting and parsing;
- :mod:`.erc20`: one ERC-20 client (symbol, decimals, balance, allowance, approve-if-short);
- :mod:`.members`: member views over the consortium (label <-> address, is_member);
- :mod:`.service`: the base class of every service (the sender, ``with_sender``, ``w3``, deadlines
  on the chain's clock, cached asset and member look-ups);
- ``<family>_*`` modules: what one service keeps of its own but moved out of the public module to
  keep it short (:mod:`.escrow_events`, :mod:`.escrow_records`, :mod:`.costs_inputs`, :mod:`.costs_history`,
  :mod:`.titles_values`, :mod:`.titles_history`, :mod:`.consortium_records`, :mod:`.consortium_calls`).

Validation policy: syntax is checked at the edge (the CLI's click types, or these checks when a
script calls the library directly), names (member labels) are resolved in the service, and state
rules are left to the contract: the transaction pipeline simulates every call before signing and
raises the contract's own typed error, so a service does not repeat them in Python unless its
message is clearly better, or unless the check must run before an ERC-20 approval (an action that
needs an allowance cannot be simulated before the approval exists); each kept check says why in
its docstring.

Nothing here imports a service module: the services import the base, never the other way round.
"""
