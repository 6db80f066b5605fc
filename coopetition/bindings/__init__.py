"""Typed bindings for the contracts coopetition ships, one generated module per contract.

Every module here except this one is generated from ``coopetition/artifacts/<Name>.json`` by
``make bindings`` (``coopetition bindings --all``) and committed; never edit them by hand, a test fails
when they drift from the artifacts. Import the one you need, e.g.
``from coopetition.bindings.consortium import Consortium``: each module defines the contract class
(``Consortium(w3, address, sender=None)``), its structs (frozen dataclasses), enums (``IntEnum``),
events (``<Name>Event``) and custom errors (exception classes, registered for revert decoding on
import). See :mod:`coopetition._bindgen` for the naming rules.
"""
